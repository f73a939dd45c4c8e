import type { CmdletDef } from './contract';
import { databaseCmdlets } from './databases';
import { healthCmdlets } from './health';
import { pipelineCmdlets } from './pipeline';
import { protocolCmdlets } from './protocols';
import { serverCmdlets } from './servers';
import { sessionCmdlets } from './session';

/**
 * The cmdlets the simulator knows: session set-up, pipeline helpers, the Exchange ones our
 * actions use (one file per family), WinRM. Keyed by lower-case name, as PowerShell looks
 * names up case-insensitively.
 */
export function createCmdlets(): Map<string, CmdletDef> {
  const defs: CmdletDef[] = [
    ...sessionCmdlets(),
    ...pipelineCmdlets(),
    ...healthCmdlets(),
    ...databaseCmdlets(),
    ...protocolCmdlets(),
    ...serverCmdlets(),
  ];
  return new Map(defs.map((d) => [d.name.toLowerCase(), d]));
}
