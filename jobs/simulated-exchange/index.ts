import { existsSync } from 'node:fs';
import path from 'node:path';
import { createDemoOrg, type DemoOptions, type OrgState } from './org-state';
import { applyScenario, type Scenario, type ScenarioOptions } from './scenarios';
import { readState, updateState, writeState } from './state-store';
import { ENABLE_VAR, STATE_VAR } from './main';

/** The simulator's API for tests and the demo: make an organisation, set a scenario, look. */
// The executable lives in the source tree; compiled code runs from dist/jobs/simulated-exchange/.
const BIN_CANDIDATES = [
  path.resolve(__dirname, 'bin', 'fake-exchange-shell.js'),
  path.resolve(
    __dirname,
    '..',
    '..',
    '..',
    'jobs',
    'simulated-exchange',
    'bin',
    'fake-exchange-shell.js',
  ),
];
export const SIMULATOR_BIN = BIN_CANDIDATES.find((p) => existsSync(p)) ?? BIN_CANDIDATES[0]!;

export async function createSimulatedOrg(
  file: string,
  options: DemoOptions = {},
): Promise<OrgState> {
  const state = createDemoOrg(options);
  await writeState(file, state);
  return state;
}

export function setScenario(file: string, scenario: Scenario, options: ScenarioOptions = {}) {
  return updateState(file, (state) => applyScenario(state, scenario, options));
}

export const readOrg = readState;
export { updateState as updateOrg };

/** Environment for a shell that runs the simulator (add it to the spawned process's env). */
export function simulatorEnv(stateFile: string, fromSource = false): Record<string, string> {
  return {
    NODE_POWERSHELL: SIMULATOR_BIN,
    [ENABLE_VAR]: '1',
    [STATE_VAR]: stateFile,
    ...(fromSource ? { EXCHANGE_SIMULATOR_FROM_SOURCE: '1' } : {}),
  };
}

export { SCENARIOS, type Scenario, type ScenarioOptions } from './scenarios';
export { createDemoOrg, HEALTH_SETS, inventoryOf, type OrgState } from './org-state';
