import type { CmdletDef } from './contract';
import type { Row } from './shared';

/** Pipeline helpers: shaping and printing what the Exchange cmdlets return. */
export function pipelineCmdlets(): CmdletDef[] {
  return [
    {
      name: 'Select-Object',
      scope: 'local',
      params: { Property: 'strings' },
      positional: ['Property'],
      run: async (_ctx, a, input) => {
        const props = (a.Property as string[] | undefined) ?? [];
        return input.map((item) => {
          const row = (item ?? {}) as Row;
          const out: Row = {};
          for (const p of props) {
            const key = Object.keys(row).find((k) => k.toLowerCase() === p.toLowerCase());
            out[p] = key === undefined ? null : row[key];
          }
          return out;
        });
      },
    },
    {
      name: 'ConvertTo-Json',
      scope: 'local',
      params: { Depth: 'int', Compress: 'switch' },
      run: async (_ctx, a, input) => {
        // PowerShell: nothing in, nothing out; one object is written bare, not as an array.
        if (input.length === 0) return [];
        const data = input.length === 1 ? input[0] : input;
        return [a.Compress ? JSON.stringify(data) : JSON.stringify(data, null, 4)];
      },
    },
    { name: 'Out-Null', scope: 'local', params: {}, run: async () => [] },
  ];
}
