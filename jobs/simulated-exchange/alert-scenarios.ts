import { createHash } from 'node:crypto';
import type { Scenario } from './scenarios';

/**
 * Demo alerts: one SCOM alert per POP runbook monitor section (and one per DAG safety check beyond
 * the seed), each paired with the simulator
 * fault that makes the simulated Exchange behave as the alert says, so the runbook's checks and
 * fixes find what a real server would show. Pure: `send-alert` posts these to the webhook and the
 * console raises them with the matching simulator scenario.
 */
export interface AlertScenario {
  name: string;
  /** One line for `send-alert --list` and the console, in every language. */
  description: { en: string; 'zh-TW': string };
  healthSet: string;
  monitor: string;
  targetResource: string;
  /** The runbook section (runbooks/pop.yaml) the alert leads to. */
  section: string;
  /** Short name of the demo organisation's server the alert is about. */
  server: string;
  /** The failure text after the escalation subject's " - ". */
  failureText: string;
  /** The simulator fault to set on `server` first; null for a resolution. */
  simulatorScenario: Scenario | null;
  /** For a resolution: the scenario whose alert this closes (ResolutionState 255). */
  resolves?: string;
}

export const ALERT_SCENARIOS: readonly AlertScenario[] = [
  {
    name: 'pop-backend-hung',
    description: {
      en: 'POP3 back end hung on a Mailbox server (PopDeepTestMonitor); a restart of MSExchangePOP3BE fixes it',
      'zh-TW':
        'Mailbox 伺服器上的 POP3 後端停止回應（PopDeepTestMonitor）；重新啟動 MSExchangePOP3BE 即可修復',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX01',
    failureText:
      'Pop3 deep test probe failed: the POP3 backend service did not answer within 60 seconds.',
    simulatorScenario: 'pop-backend-hung',
  },
  {
    name: 'pop-needs-reboot',
    description: {
      en: 'POP3 deep test keeps failing after a service restart (PopDeepTestMonitor): fail the databases over, restart the server',
      'zh-TW':
        '重新啟動服務後 POP3 深度測試仍持續失敗（PopDeepTestMonitor）：將資料庫容錯移轉，再重新啟動伺服器',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX02',
    failureText: 'Pop3 deep test probe failed: STAT failed: the mailbox store did not respond.',
    simulatorScenario: 'pop-needs-reboot',
  },
  {
    name: 'pop-transient',
    description: {
      en: 'A transient POP3 deep test failure (PopDeepTestMonitor): the verify step re-runs the probe and finds it gone',
      'zh-TW':
        '暫時性的 POP3 深度測試失敗（PopDeepTestMonitor）：驗證步驟重新執行探查，發現問題已消失',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX03',
    failureText: 'Pop3 deep test probe failed: connection reset by peer.',
    simulatorScenario: 'pop-transient',
  },
  {
    name: 'pop-ctp-failure',
    description: {
      en: 'Client access POP3 failure (PopCTPMonitor) on a Client Access server; a restart of MSExchangePOP3 fixes it',
      'zh-TW':
        '用戶端存取伺服器上的 POP3 用戶端存取失敗（PopCTPMonitor）；重新啟動 MSExchangePOP3 即可修復',
    },
    healthSet: 'POP',
    monitor: 'PopCTPMonitor',
    targetResource: 'MSExchangePOP3',
    section: 'pop-ctp',
    server: 'EX04',
    failureText:
      'POP CTP probe failed for _Mbx: EX03.contoso.com. Error: the POP3 service did not answer the LOGIN command.',
    simulatorScenario: 'pop-ctp-failure',
  },
  {
    name: 'pop-command-time',
    description: {
      en: 'POP3 commands take over 60 seconds on average (AverageCommandProcessingTimeGt60sMonitor); restart POP3, wait, then the server',
      'zh-TW':
        'POP3 命令平均處理時間超過 60 秒（AverageCommandProcessingTimeGt60sMonitor）；重新啟動 POP3、等候，再重新啟動伺服器',
    },
    healthSet: 'POP',
    monitor: 'AverageCommandProcessingTimeGt60sMonitor',
    targetResource: 'MSExchangePOP3',
    section: 'pop-60s',
    server: 'EX02',
    failureText: 'Average POP3 command processing time above 60 seconds.',
    simulatorScenario: 'pop-command-time',
  },
  // Beyond the seed: the DAG and Managed Availability safety checks (issue 17).
  {
    name: 'dag-no-healthy-copy',
    description: {
      en: 'POP3 deep test fails and needs a failover, but no other copy of the server’s databases is fit to take over: the failover is refused, nothing moves, escalate',
      'zh-TW':
        'POP3 深度測試失敗而需要容錯移轉，但伺服器資料庫的其他複本都無法接手：拒絕容錯移轉、不移動任何資料庫，改為提報',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX02',
    failureText: 'Pop3 deep test probe failed: STAT failed: the mailbox store did not respond.',
    simulatorScenario: 'dag-no-healthy-copy',
  },
  {
    name: 'dag-member-restarting',
    description: {
      en: 'POP3 deep test needs a server restart while another member of the DAG (EX02) is down: the databases fail over, the restart is held (one member at a time)',
      'zh-TW':
        'POP3 深度測試需要重新啟動伺服器，但同一 DAG 的另一成員（EX02）已停機：資料庫會容錯移轉，重新啟動則暫緩（每次一個成員）',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX01',
    failureText: 'Pop3 deep test probe failed: STAT failed: the mailbox store did not respond.',
    simulatorScenario: 'dag-member-restarting',
  },
  {
    name: 'ma-recovery-in-progress',
    description: {
      en: 'POP3 back end hung while Managed Availability is already restarting MSExchangePOP3BE: the changes are held and MA’s recovery action is shown',
      'zh-TW':
        'POP3 後端停止回應，而受管理的可用性已在重新啟動 MSExchangePOP3BE：變更暫緩，並顯示受管理的可用性的復原動作',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX04',
    failureText:
      'Pop3 deep test probe failed: the POP3 backend service did not answer within 60 seconds.',
    simulatorScenario: 'ma-recovery-in-progress',
  },
  {
    name: 'server-in-maintenance',
    description: {
      en: 'POP3 back end hung on a server in maintenance (ServerWideOffline Inactive): the alert is annotated and its changes held until maintenance ends',
      'zh-TW':
        '維護中伺服器（ServerWideOffline Inactive）上的 POP3 後端停止回應：警示會加上註記，其變更暫緩至維護結束',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX03',
    failureText:
      'Pop3 deep test probe failed: the POP3 backend service did not answer within 60 seconds.',
    simulatorScenario: 'server-in-maintenance',
  },
  {
    name: 'fail-back-to-preferred',
    description: {
      en: 'POP3 deep test needs a server restart on the preferred server of every database: fail over, restart, and move the databases back to it',
      'zh-TW':
        '每個資料庫的慣用伺服器需要重新啟動才能修復 POP3 深度測試：容錯移轉、重新啟動，再將資料庫移回該伺服器',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX01',
    failureText: 'Pop3 deep test probe failed: STAT failed: the mailbox store did not respond.',
    simulatorScenario: 'fail-back-to-preferred',
  },
  {
    name: 'pop-resolved',
    description: {
      en: 'SCOM closes the pop-backend-hung alert (ResolutionState 255): its incident is resolved',
      'zh-TW': 'SCOM 關閉 pop-backend-hung 警示（ResolutionState 255）：其事件已解決',
    },
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    targetResource: 'MSExchangePOP3BE',
    section: 'pop-deep',
    server: 'EX01',
    failureText:
      'Pop3 deep test probe failed: the POP3 backend service did not answer within 60 seconds.',
    simulatorScenario: null,
    resolves: 'pop-backend-hung',
  },
];

export class UnknownScenarioError extends Error {
  constructor(readonly scenario: string) {
    super(
      `unknown alert scenario "${scenario}"; known: ${ALERT_SCENARIOS.map((s) => s.name).join(', ')}`,
    );
    this.name = 'UnknownScenarioError';
  }
}

export function findAlertScenario(name: string): AlertScenario {
  const found = ALERT_SCENARIOS.find((s) => s.name === name);
  if (!found) throw new UnknownScenarioError(name);
  return found;
}

export interface BuildAlertOptions {
  /** Another server (short name or FQDN) instead of the scenario's own. */
  server?: string;
  /** DNS domain of the demo organisation; `contoso.com` like the simulator's. */
  domain?: string;
  now?: Date;
  /** Closes the scenario's alert instead of raising it (what `pop-resolved` does for its own). */
  resolve?: boolean;
  /** SCOM's RepeatCount, for a repeat of an alert that is still open. */
  repeatCount?: number;
}

/**
 * The payload Send-ScomAlert.ps1 posts for this scenario: `Get-SCOMAlert | Select-Object ... |
 * ConvertTo-Json` from Windows PowerShell 5.1 (enums as numbers, `/Date(ms)/` times). The alert
 * id is derived from the scenario and server, so a later resolution names the same alert.
 */
export function buildScenarioAlert(
  name: string,
  options: BuildAlertOptions = {},
): Record<string, unknown> {
  const scenario = findAlertScenario(name);
  // A resolution carries the id and text of the alert it closes.
  const raised = scenario.resolves ? findAlertScenario(scenario.resolves) : scenario;
  const resolve = options.resolve === true || scenario.resolves !== undefined;
  const domain = options.domain ?? 'contoso.com';
  const given = options.server ?? scenario.server;
  const short = (given.split('.')[0] ?? given).toUpperCase();
  const fqdn = given.includes('.') ? given : `${short}.${domain}`;
  const now = (options.now ?? new Date()).getTime();
  const subject = `${raised.healthSet} health set unhealthy (${raised.monitor}/${raised.targetResource}) - ${raised.failureText}`;
  const description = [
    subject,
    '--------------------------------------------------------------------------',
    'State    Name                  TargetResource     HealthSet     AlertValue  ServerComponent',
    `Online   ${raised.monitor}   ${raised.targetResource}   ${raised.healthSet}  ${resolve ? 'Healthy' : 'Unhealthy'}   None`,
    '',
    'Further alerts for this health set are suppressed until it is healthy again.',
  ].join('\r\n');
  return {
    Id: alertIdFor(raised.name, fqdn),
    Name: `${raised.healthSet} health set unhealthy`,
    Description: description,
    Severity: 2,
    Priority: 1,
    ResolutionState: resolve ? 255 : 0,
    MonitoringObjectDisplayName: fqdn,
    MonitoringObjectPath: fqdn,
    MonitoringObjectFullName: `Microsoft.Exchange.15.HealthSet:${fqdn};${raised.healthSet}`,
    PrincipalName: fqdn,
    NetbiosComputerName: short,
    NetbiosDomainName: (domain.split('.')[0] ?? domain).toUpperCase(),
    TimeRaised: `/Date(${now})/`,
    LastModified: `/Date(${now})/`,
    TimeResolved: resolve ? `/Date(${now})/` : null,
    ResolvedBy: resolve ? 'System' : null,
    RepeatCount: options.repeatCount ?? 0,
    IsMonitorAlert: false,
    Category: 'Alert',
    Owner: null,
    TicketId: null,
    CustomField1: 'exchange-chatops demo',
    // Names the scenario, so a demo that receives the alert can set the simulator fault too.
    CustomField2: `${DEMO_MARK}${scenario.name}`,
  };
}

const DEMO_MARK = 'demo-scenario:';

/**
 * The demo scenario a received payload was built from (its CustomField2), with the server it is
 * about: what a demo needs to set the matching simulator fault when `send-alert` raised it.
 */
export function demoScenarioOf(
  payload: unknown,
): { scenario: AlertScenario; server: string } | null {
  if (payload === null || typeof payload !== 'object') return null;
  const p = payload as Record<string, unknown>;
  const mark = p.CustomField2;
  if (typeof mark !== 'string' || !mark.startsWith(DEMO_MARK)) return null;
  const scenario = ALERT_SCENARIOS.find((s) => s.name === mark.slice(DEMO_MARK.length));
  const server = typeof p.NetbiosComputerName === 'string' ? p.NetbiosComputerName : null;
  return scenario && server ? { scenario, server } : null;
}

/** A GUID-shaped id, the same for the same scenario and server, as SCOM's AlertId looks. */
export function alertIdFor(scenario: string, server: string): string {
  const h = createHash('sha256').update(`${scenario}|${server.toLowerCase()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
