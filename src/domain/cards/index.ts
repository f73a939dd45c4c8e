export * from './card';
export * from './action-ref';
export {
  renderRunbookCard,
  cardContextFromMatch,
  type RunbookCardContext,
} from './render-runbook-card';
