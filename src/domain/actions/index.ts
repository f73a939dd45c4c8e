export * from './registry';
export { quotePs, psBool } from './quote';
export { EXCHANGE_SERVICES, type ExchangeService } from './params';
export * from './build-script';
export * from './parse-output';
export { checkInventory } from './check-inventory';
export * from './build-session-setup';
