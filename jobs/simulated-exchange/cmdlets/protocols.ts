import { sameServer, type ProtocolSettingsState } from '../org-state';
import { readState } from '../state-store';
import type { CmdletDef } from './contract';
import { change, envOf, server, type Row } from './shared';

/** POP3 and IMAP4: the protocol settings (logging) and the connectivity tests. */
export function protocolCmdlets(): CmdletDef[] {
  return [
    ...protocolSettings('pop'),
    ...protocolSettings('imap'),
    connectivity('POP'),
    connectivity('IMAP'),
  ];
}

function protocolSettings(which: 'pop' | 'imap'): CmdletDef[] {
  const noun = which === 'pop' ? 'PopSettings' : 'ImapSettings';
  return [
    {
      name: `Get-${noun}`,
      scope: 'exchange',
      params: { Server: 'string' },
      run: async (ctx, a) => {
        const state = await readState(envOf(ctx).stateFile);
        const s = server(state, String(a.Server));
        return [settingsRow(s.name, s[which])];
      },
    },
    {
      name: `Set-${noun}`,
      scope: 'exchange',
      params: { Server: 'string', ProtocolLogEnabled: 'bool' },
      run: async (ctx, a) => {
        const name = await change(envOf(ctx), (state) => {
          const s = server(state, String(a.Server));
          if (typeof a.ProtocolLogEnabled === 'boolean')
            s[which].protocolLogEnabled = a.ProtocolLogEnabled;
          return s.name;
        });
        const proto = which === 'pop' ? 'POP3' : 'IMAP4';
        ctx.warn(
          `Changes to ${proto} settings will only take effect after all Microsoft Exchange ${proto} services are restarted on server ${name}.`,
        );
        return [];
      },
    },
  ];
}

const settingsRow = (name: string, p: ProtocolSettingsState): Row => ({
  Server: name,
  ProtocolLogEnabled: p.protocolLogEnabled,
  LogFileLocation: p.logFileLocation,
  LogPerFileSizeQuota: p.logPerFileSizeQuota,
});

function connectivity(proto: 'POP' | 'IMAP'): CmdletDef {
  return {
    name: proto === 'POP' ? 'Test-PopConnectivity' : 'Test-ImapConnectivity',
    scope: 'exchange',
    params: { ClientAccessServer: 'string' },
    run: async (ctx, a) => {
      const state = await readState(envOf(ctx).stateFile);
      const s = server(state, String(a.ClientAccessServer));
      const fault = state.faults.find(
        (f) =>
          sameServer(f.server, s.name) &&
          f.healthSet.startsWith(proto) &&
          f.clears.by !== 'probe-rerun',
      );
      return [
        {
          ClientAccessServer: s.name,
          Scenario: proto === 'POP' ? 'Test POP3 Connectivity' : 'Test IMAP4 Connectivity',
          Result: fault ? 'Failure' : 'Success',
          Latency: fault ? '00:00:30.0000000' : '00:00:00.0420000',
          Error: fault ? fault.error : '',
        },
      ];
    },
  };
}
