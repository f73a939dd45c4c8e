export {
  CATALOG,
  format,
  inAllLangs,
  lookup,
  plural,
  stringsWithPrefix,
  t,
  type Params,
  type ParamsOf,
  type PlainKey,
  type PluralKey,
  type StringKey,
} from './catalog';
