export * from './card';
export * from './action-ref';
export { buildRunbookCard, cardContextFromMatch, type RunbookCardContext } from './runbook-card';
