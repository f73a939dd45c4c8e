export * from './outage';
export * from './settings';
export * from './candidate';
export * from './correlate';
export * from './causes';
export * from './holds';
export * from './outage-card';
export * from './outage-action-ref';
export { OUTAGE_LABELS, formatDuration, type OutageLabels } from './outage-labels';
