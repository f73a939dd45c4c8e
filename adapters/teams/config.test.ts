import { ConfigError } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { loadTeamsConfig, logTeamsConfig, TeamsConfigError } from './config';
import { parseRetryAfter, toDeliveryError } from './delivery-error';
import { Writable } from 'node:stream';

const APP = '99999999-8888-7777-6666-555555555555';
const TENANT = '11111111-2222-3333-4444-555555555555';

describe('loadTeamsConfig', () => {
  it('is off (null) when nothing is set', () => {
    expect(loadTeamsConfig({})).toBeNull();
    expect(loadTeamsConfig({ TEAMS_APP_ID: '  ' })).toBeNull();
  });

  it('reads a single-tenant bot', () => {
    expect(
      loadTeamsConfig({
        TEAMS_APP_ID: APP,
        TEAMS_APP_PASSWORD: 's3cret',
        TEAMS_APP_TENANT_ID: TENANT,
      }),
    ).toEqual({
      appId: APP,
      appPassword: 's3cret',
      tenantId: TENANT,
      appType: 'SingleTenant',
      allowAnonymous: false,
      alertChannel: null,
    });
  });

  it('lists everything a partial configuration is missing', () => {
    const err = (() => {
      try {
        loadTeamsConfig({ TEAMS_ALERT_CHANNEL: '19:abc@thread.tacv2' });
      } catch (e) {
        return e;
      }
    })() as TeamsConfigError;
    expect(err).toBeInstanceOf(TeamsConfigError);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems.map((p) => p.split(':')[0])).toEqual([
      'TEAMS_APP_ID',
      'TEAMS_APP_PASSWORD',
      'TEAMS_APP_TENANT_ID',
    ]);
  });

  it('needs no tenant for a multi-tenant bot', () => {
    const c = loadTeamsConfig({
      TEAMS_APP_ID: APP,
      TEAMS_APP_PASSWORD: 'x',
      TEAMS_APP_TYPE: 'MultiTenant',
    });
    expect(c?.appType).toBe('MultiTenant');
  });

  it('rejects bad values without echoing the password', () => {
    expect(() => loadTeamsConfig({ TEAMS_APP_ID: 'not-a-guid', TEAMS_APP_PASSWORD: 'pw' })).toThrow(
      /TEAMS_APP_ID: must be a GUID/,
    );
    expect(() => loadTeamsConfig({ TEAMS_ALLOW_ANONYMOUS: 'yes' })).toThrow(
      /TEAMS_ALLOW_ANONYMOUS/,
    );
    expect(() =>
      loadTeamsConfig({ TEAMS_APP_ID: APP, TEAMS_APP_PASSWORD: 'pw', TEAMS_ALERT_CHANNEL: 'a b' }),
    ).toThrow(/TEAMS_ALERT_CHANNEL/);
  });

  it('anonymous mode needs no credentials and ignores any that are set', () => {
    const c = loadTeamsConfig({ TEAMS_ALLOW_ANONYMOUS: 'true', TEAMS_APP_ID: APP });
    expect(c).toMatchObject({ allowAnonymous: true, appId: '', appPassword: '' });
  });

  it('warns loudly at start-up in anonymous mode', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    logTeamsConfig(loadTeamsConfig({ TEAMS_ALLOW_ANONYMOUS: 'true' }), createLogger('info', sink));
    expect(lines.join('')).toMatch(/"level":40.*UNAUTHENTICATED/);
  });
});

describe('delivery errors', () => {
  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('99999')).toBe(15 * 60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('treats network errors as retryable', () => {
    expect(toDeliveryError(new Error('ECONNREFUSED'), 'postCard')).toMatchObject({
      retryable: true,
      retryAfterMs: undefined,
    });
  });
});
