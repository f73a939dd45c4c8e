export * from './catalog';
export * from './schema';
export * from './text';
export * from './errors';
export * from './bindings';
export { buildStepCommands, type StepCommand } from './step-commands';
export { parseRunbookFile, conditionsOf, type ParseResult } from './parse-runbook-file';
export {
  buildCatalog,
  dependencyIdFromName,
  GENERIC_VERIFY_SECTION,
  type LayeredFile,
} from './build-catalog';
export { dependenciesOf, findDependency } from './dependencies';
export { catalogFromTexts, type RunbookText } from './catalog-from-texts';
// load-catalog.ts and read-runbook-files.ts read files: import them directly, at the edge.
export {
  matchRunbook,
  matchQuery,
  type MatchedBy,
  type MatchInput,
  type RunbookMatch,
} from './match-runbook';
export { followGoto, type GotoFrom, type GotoResult } from './follow-goto';
export { evaluateConditions, type ConditionVerdict, type StepOutcome } from './evaluate-conditions';
