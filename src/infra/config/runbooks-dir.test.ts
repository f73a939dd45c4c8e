import { loadConfig } from './load-config';

test('RUNBOOKS_DIR is optional and passed on as given', () => {
  expect(loadConfig({}).runbooksDir).toBeUndefined();
  expect(loadConfig({ RUNBOOKS_DIR: ' ' }).runbooksDir).toBeUndefined();
  expect(loadConfig({ RUNBOOKS_DIR: '/etc/exchange-chatops/runbooks' }).runbooksDir).toBe(
    '/etc/exchange-chatops/runbooks',
  );
});
