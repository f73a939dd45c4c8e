export * from './card';
export * from './action-ref';
export { LABELS, type Labels } from './labels';
export {
  renderRunbookCard,
  cardContextFromMatch,
  type RunbookCardContext,
} from './render-runbook-card';
