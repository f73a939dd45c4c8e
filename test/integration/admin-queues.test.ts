import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../support/server';

/** The bull-board job dashboard: off without ADMIN_PASSWORD, behind basic auth with one. */
const PASSWORD = 'correct horse battery staple';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('with ADMIN_PASSWORD and an inventory of two sites', () => {
  let srv: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'exadmin-'));
    const inventory = path.join(dir, 'inventory.yaml');
    writeFileSync(
      inventory,
      'sites:\n  site-a:\n    servers: [{ name: EX01 }]\n  site-b:\n    servers: [{ name: EX03 }]\n',
    );
    srv = await startTestServer('admin', { ADMIN_PASSWORD: PASSWORD, INVENTORY_FILE: inventory });
  });

  afterAll(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('no or wrong credentials: 401 with a basic-auth challenge', async () => {
    for (const authorization of [
      undefined,
      basic('admin', 'wrong password'),
      basic('root', PASSWORD),
      'Basic !!!',
      `Bearer ${PASSWORD}`,
    ]) {
      const res = await fetch(`${srv.url}/admin/queues`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
  });

  test('the admin sees the dashboard and every queue; action queues are read-only', async () => {
    const headers = { authorization: basic('admin', PASSWORD) };
    const page = await fetch(`${srv.url}/admin/queues`, { headers });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('exchange-chatops jobs');
    // The UI's scripts are served too (bull-board's express adapter on express 5).
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${srv.url}/admin/queues/${script}`, { headers });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);

    const api = await fetch(`${srv.url}/admin/queues/api/queues`, { headers });
    expect(api.status).toBe(200);
    const body = (await api.json()) as {
      queues: Array<{ name: string; readOnlyMode: boolean }>;
    };
    const byName = Object.fromEntries(body.queues.map((q) => [q.name, q.readOnlyMode]));
    expect(byName).toEqual({
      'incident-events': false,
      'action-results': false,
      'actions-site-a': true,
      'actions-site-b': true,
    });
  });

  test('metrics watch the inventory sites too', async () => {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toContain('exchops_workers_online{site="site-a"} 0');
    expect(text).toContain('exchops_queue_jobs{queue="actions-site-b",state="waiting"} 0');
  });
});

test('without ADMIN_PASSWORD there is no dashboard', async () => {
  const srv = await startTestServer('noadmin');
  try {
    const res = await fetch(`${srv.url}/admin/queues`, {
      headers: { authorization: basic('admin', '') },
    });
    expect(res.status).toBe(404);
  } finally {
    await srv.stop();
  }
});
