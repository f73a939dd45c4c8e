export {
  PowerShellPool,
  PoolClosedError,
  type PoolLogger,
  type PowerShellPoolOptions,
  type RunResult,
  type RunStatus,
} from './powershell-pool';
export { shellEnvironment } from './shell-environment';
