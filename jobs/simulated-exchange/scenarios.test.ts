import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDemoOrg } from './org-state';
import {
  allowActivation,
  applyScenario,
  blockActivationAndMove,
  ExchangeError,
  moveActiveDatabase,
  serverComesUp,
  serverGoesDown,
  serviceRestarted,
} from './scenarios';
import { readState, updateState, writeState } from './state-store';

const active = (state: ReturnType<typeof createDemoOrg>, db: string) =>
  state.databases.find((d) => d.name === db)!;

describe('Exchange behaviour of the simulated organisation', () => {
  it('moves active copies to the next preferred healthy copy, all or nothing', () => {
    const state = createDemoOrg();
    expect(active(state, 'DB01').active).toBe('EX01');
    blockActivationAndMove(state, 'ex01.contoso.com');
    expect(active(state, 'DB01')).toMatchObject({ active: 'EX02', mounted: true });
    expect(state.servers[0]!.activationDisabled).toBe(true);

    const two = createDemoOrg({
      servers: [
        { name: 'EX01', site: 'A' },
        { name: 'EX02', site: 'A' },
      ],
    });
    blockActivationAndMove(two, 'EX02');
    expect(() => blockActivationAndMove(two, 'EX01')).toThrow(ExchangeError);
    expect(two.servers[0]!.activationDisabled).toBe(false);
    expect(active(two, 'DB01').active).toBe('EX01');
  });

  it('fail back is a separate move, refused while activation is blocked', () => {
    const state = createDemoOrg();
    blockActivationAndMove(state, 'EX01');
    expect(() => moveActiveDatabase(state, 'DB01', 'EX01')).toThrow(/blocked/);
    allowActivation(state, 'EX01');
    expect(active(state, 'DB01').active).toBe('EX02');
    moveActiveDatabase(state, 'db01', 'EX01');
    expect(active(state, 'DB01').active).toBe('EX01');
  });

  it('a restart moves copies, or dismounts a database with nowhere to go, and clears faults', () => {
    const state = createDemoOrg({ servers: [{ name: 'EX01', site: 'A' }], databases: 1 });
    applyScenario(state, 'pop-needs-reboot', { server: 'EX01' });
    serverGoesDown(state, 'EX01');
    expect(active(state, 'DB01')).toMatchObject({ active: 'EX01', mounted: false });
    expect(state.faults).toEqual([]);
    serverComesUp(state, 'EX01', new Date('2026-11-27T00:00:00Z'));
    expect(active(state, 'DB01').mounted).toBe(true);
    expect(state.servers[0]!.lastBootUpTime).toBe('2026-11-27T00:00:00.000Z');
  });

  it('the IMAP backend hangs and clears the same way', () => {
    const state = createDemoOrg();
    applyScenario(state, 'imap-backend-hung', { server: 'EX03' });
    expect(state.faults).toMatchObject([
      { server: 'EX03', healthSet: 'IMAP.Protocol', monitor: 'ImapDeepTestMonitor' },
    ]);
    serviceRestarted(state, 'EX03', 'MSExchangePOP3BE');
    expect(state.faults).toHaveLength(1);
    serviceRestarted(state, 'EX03', 'MSExchangeIMAP4BE');
    expect(state.faults).toHaveLength(0);
  });

  it('slow POP3 commands survive both POP3 service restarts; a server restart clears them', () => {
    const state = createDemoOrg();
    applyScenario(state, 'pop-command-time', { server: 'EX02' });
    expect(state.faults).toMatchObject([
      { server: 'EX02', healthSet: 'POP', monitor: 'AverageCommandProcessingTimeGt60sMonitor' },
    ]);
    serviceRestarted(state, 'EX02', 'MSExchangePOP3');
    serviceRestarted(state, 'EX02', 'MSExchangePOP3BE');
    expect(state.faults).toHaveLength(1);
    serverGoesDown(state, 'EX02');
    expect(state.faults).toHaveLength(0);
  });

  it('only the right service restart clears the hung backend', () => {
    const state = createDemoOrg();
    applyScenario(state, 'pop-backend-hung', { server: 'EX02' });
    serviceRestarted(state, 'EX02', 'MSExchangePOP3');
    serviceRestarted(state, 'EX01', 'MSExchangePOP3BE');
    expect(state.faults).toHaveLength(1);
    serviceRestarted(state, 'EX02', 'msexchangepop3be');
    expect(state.faults).toHaveLength(0);
  });
});

describe('state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'exsim-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no update when many writers race', async () => {
    const file = path.join(dir, 'org.json');
    await writeState(file, createDemoOrg());
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        updateState(file, (s) => {
          s.faults.push({
            id: String(i),
            server: 'EX01',
            healthSet: 'POP',
            monitor: 'PopCTPMonitor',
            error: 'x',
            since: '',
            clears: { by: 'server-restart' },
          });
        }),
      ),
    );
    expect((await readState(file)).faults).toHaveLength(25);
  });

  it('refuses a file that is not a simulator state', async () => {
    const file = path.join(dir, 'x.json');
    await expect(readState(file)).rejects.toThrow(/cannot read/);
  });
});
