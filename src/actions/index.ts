export * from './registry';
export { quotePs, psBool } from './quote';
export { EXCHANGE_SERVICES, type ExchangeService } from './params';
