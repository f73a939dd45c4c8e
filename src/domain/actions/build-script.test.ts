import { ACTION_IDS, buildScript, buildSessionSetup, type ActionId } from '.';
import { SAMPLE_PARAMS } from '../../../test/fixtures/action-params';

const J = '| ConvertTo-Json -Depth 4 -Compress';

/** Golden text: what a person approves (`command`) and what the worker runs (`script`). */
const GOLDEN: Record<ActionId, { command: string; script: string }> = {
  'get-server-health': {
    command: "Get-ServerHealth -Identity 'EX01' -HealthSet 'POP.Protocol'",
    script: `Get-ServerHealth -Identity 'EX01' -HealthSet 'POP.Protocol' | Select-Object -Property 'Server','CurrentHealthSetState','Name','TargetResource','HealthSetName','AlertValue','LastTransitionTime','ServerComponentName' ${J}`,
  },
  'invoke-monitoring-probe': {
    command: "Invoke-MonitoringProbe -Identity 'POP.Protocol\\PopDeepTestProbe' -Server 'EX01'",
    script: `Invoke-MonitoringProbe -Identity 'POP.Protocol\\PopDeepTestProbe' -Server 'EX01' | Select-Object -Property 'MonitorIdentity','RequestId','ExecutionStartTime','ExecutionEndTime','Error','Exception','ResultType' ${J}`,
  },
  'get-health-report': {
    command: "Get-HealthReport -Identity 'EX01' -HealthSet 'POP'",
    script: `Get-HealthReport -Identity 'EX01' -HealthSet 'POP' | Select-Object -Property 'Server','State','HealthSet','AlertValue','LastTransitionTime','MonitorCount' ${J}`,
  },
  'get-mailbox-database-copy-status': {
    command: "Get-MailboxDatabaseCopyStatus -Server 'EX01'",
    script: `Get-MailboxDatabaseCopyStatus -Server 'EX01' | Select-Object -Property 'DatabaseName','Status','MailboxServer','ActiveDatabaseCopy','CopyQueueLength','ReplayQueueLength','ContentIndexState' ${J}`,
  },
  'get-pop-settings': {
    command: "Get-PopSettings -Server 'EX01'",
    script: `Get-PopSettings -Server 'EX01' | Select-Object -Property 'Server','ProtocolLogEnabled','LogFileLocation','LogPerFileSizeQuota' ${J}`,
  },
  'set-pop-protocol-log': {
    command: "Set-PopSettings -Server 'EX01' -ProtocolLogEnabled $true",
    script: `Set-PopSettings -Server 'EX01' -ProtocolLogEnabled $true -ErrorAction Stop; Get-PopSettings -Server 'EX01' | Select-Object -Property 'Server','ProtocolLogEnabled','LogFileLocation','LogPerFileSizeQuota' ${J}`,
  },
  'test-pop-connectivity': {
    command: "Test-PopConnectivity -ClientAccessServer 'EX01'",
    script: `Test-PopConnectivity -ClientAccessServer 'EX01' | Select-Object -Property 'ClientAccessServer','Scenario','Result','Latency','Error' ${J}`,
  },
  'get-imap-settings': {
    command: "Get-ImapSettings -Server 'EX01'",
    script: `Get-ImapSettings -Server 'EX01' | Select-Object -Property 'Server','ProtocolLogEnabled','LogFileLocation','LogPerFileSizeQuota' ${J}`,
  },
  'set-imap-protocol-log': {
    command: "Set-ImapSettings -Server 'EX01' -ProtocolLogEnabled $false",
    script: `Set-ImapSettings -Server 'EX01' -ProtocolLogEnabled $false -ErrorAction Stop; Get-ImapSettings -Server 'EX01' | Select-Object -Property 'Server','ProtocolLogEnabled','LogFileLocation','LogPerFileSizeQuota' ${J}`,
  },
  'test-imap-connectivity': {
    command: "Test-ImapConnectivity -ClientAccessServer 'EX01'",
    script: `Test-ImapConnectivity -ClientAccessServer 'EX01' | Select-Object -Property 'ClientAccessServer','Scenario','Result','Latency','Error' ${J}`,
  },
  'restart-service': {
    command:
      "Invoke-Command -ComputerName 'EX01' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3BE' -Force }",
    script: `Invoke-Command -ComputerName 'EX01' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3BE' -Force } -ErrorAction Stop; Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-Service -Name 'MSExchangePOP3BE' } | Select-Object -Property 'Name','Status' ${J}`,
  },
  'get-service-status': {
    command:
      "Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-Service -Name 'MSExchangePOP3BE' }",
    script: `Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-Service -Name 'MSExchangePOP3BE' } | Select-Object -Property 'Name','Status' ${J}`,
  },
  'get-boot-time': {
    command:
      "Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-CimInstance -ClassName Win32_OperatingSystem }",
    script: `Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-CimInstance -ClassName Win32_OperatingSystem } | Select-Object -Property 'CSName','LastBootUpTime' ${J}`,
  },
  'move-active-databases-off': {
    command: "Set-MailboxServer -Identity 'EX01' -DatabaseCopyActivationDisabledAndMoveNow $true",
    script: `Set-MailboxServer -Identity 'EX01' -DatabaseCopyActivationDisabledAndMoveNow $true -ErrorAction Stop; Get-MailboxDatabaseCopyStatus -Server 'EX01' | Select-Object -Property 'DatabaseName','Status','MailboxServer','ActiveDatabaseCopy','CopyQueueLength','ReplayQueueLength','ContentIndexState' ${J}`,
  },
  'allow-database-activation': {
    command: "Set-MailboxServer -Identity 'EX01' -DatabaseCopyActivationDisabledAndMoveNow $false",
    script: `Set-MailboxServer -Identity 'EX01' -DatabaseCopyActivationDisabledAndMoveNow $false -ErrorAction Stop; Get-MailboxDatabaseCopyStatus -Server 'EX01' | Select-Object -Property 'DatabaseName','Status','MailboxServer','ActiveDatabaseCopy','CopyQueueLength','ReplayQueueLength','ContentIndexState' ${J}`,
  },
  'move-active-database': {
    command: "Move-ActiveMailboxDatabase -Identity 'DB01' -ActivateOnServer 'EX01' -Confirm:$false",
    script: `Move-ActiveMailboxDatabase -Identity 'DB01' -ActivateOnServer 'EX01' -Confirm:$false -ErrorAction Stop; Get-MailboxDatabaseCopyStatus -Server 'EX01' | Select-Object -Property 'DatabaseName','Status','MailboxServer','ActiveDatabaseCopy','CopyQueueLength','ReplayQueueLength','ContentIndexState' ${J}`,
  },
  'move-preferred-databases-back': {
    command: "Move-ActiveMailboxDatabase -ActivatePreferredOnServer 'EX01' -Confirm:$false",
    script: `Move-ActiveMailboxDatabase -ActivatePreferredOnServer 'EX01' -Confirm:$false -ErrorAction Stop; Get-MailboxDatabaseCopyStatus -Server 'EX01' | Select-Object -Property 'DatabaseName','Status','MailboxServer','ActiveDatabaseCopy','CopyQueueLength','ReplayQueueLength','ContentIndexState' ${J}`,
  },
  'get-database-copies': {
    command: "Get-MailboxDatabaseCopyStatus -Identity 'DB01'",
    script: `Get-MailboxDatabaseCopyStatus -Identity 'DB01' | Select-Object -Property 'DatabaseName','Status','MailboxServer','ActiveDatabaseCopy','CopyQueueLength','ReplayQueueLength','ContentIndexState','ActivationSuspended' ${J}`,
  },
  'get-server-component-state': {
    command: "Get-ServerComponentState -Identity 'EX01'",
    script: `Get-ServerComponentState -Identity 'EX01' | Select-Object -Property 'Identity','Component','State' ${J}`,
  },
  'get-mailbox-server': {
    command: "Get-MailboxServer -Identity 'EX01'",
    script: `Get-MailboxServer -Identity 'EX01' | Select-Object -Property 'Name','DatabaseAvailabilityGroup','DatabaseCopyAutoActivationPolicy','DatabaseCopyActivationDisabledAndMoveNow' ${J}`,
  },
  'get-managed-availability-recoveries': {
    command:
      "Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-WinEvent -LogName 'Microsoft-Exchange-ManagedAvailability/RecoveryActionResults' -MaxEvents 50 -ErrorAction SilentlyContinue }",
    script: `Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-WinEvent -LogName 'Microsoft-Exchange-ManagedAvailability/RecoveryActionResults' -MaxEvents 50 -ErrorAction SilentlyContinue } | Select-Object -Property 'TimeCreated','Id','ProviderName','Message' ${J}`,
  },
  'get-dag-safety': {
    command: "Get-MailboxDatabaseCopyStatus -Server 'EX01'",
    script: `Get-MailboxDatabaseCopyStatus -Server 'EX01' | Select-Object -Property 'DatabaseName','Status','MailboxServer','ActiveDatabaseCopy','CopyQueueLength','ReplayQueueLength','ContentIndexState' ${J}`,
  },
  'restart-server': {
    command:
      "Restart-Computer -ComputerName 'EX01' -Protocol WSMan -Force -Wait -For PowerShell -Timeout 1800 -Delay 5",
    script: `Restart-Computer -ComputerName 'EX01' -Protocol WSMan -Force -Wait -For PowerShell -Timeout 1800 -Delay 5 -ErrorAction Stop; Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-CimInstance -ClassName Win32_OperatingSystem } | Select-Object -Property 'CSName','LastBootUpTime' ${J}`,
  },
};

describe('buildScript golden text', () => {
  it.each(ACTION_IDS)('%s', (id) => {
    const built = buildScript(id, SAMPLE_PARAMS[id]);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    expect({ command: built.command, script: built.script }).toEqual(GOLDEN[id]);
    expect(built.script.startsWith(built.command)).toBe(true);
    expect(built.script).not.toMatch(/[\r\n]/);
  });

  it('refuses unknown actions and bad parameters without building text', () => {
    expect(buildScript('Remove-Mailbox', {})).toEqual({
      ok: false,
      errors: [{ param: '(action)', reason: 'unknown action "Remove-Mailbox"' }],
    });
    const bad = buildScript('restart-service', { server: 'EX01', service: 'W32Time' });
    expect(bad.ok).toBe(false);
    const extra = buildScript('get-pop-settings', { server: 'EX01', command: 'x' });
    expect(extra.ok).toBe(false);
  });

  it('leaves out the optional health set', () => {
    const built = buildScript('get-server-health', { server: 'ex01.contoso.com' });
    expect(built.ok && built.command).toBe("Get-ServerHealth -Identity 'ex01.contoso.com'");
  });
});

describe('buildSessionSetup', () => {
  it('builds the remote Exchange session lines', () => {
    expect(buildSessionSetup({ connectionUri: 'http://ex01.contoso.com/PowerShell/' })).toEqual({
      ok: true,
      lines: [
        "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8; $ProgressPreference = 'SilentlyContinue'",
        "$ExchangeSession = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri 'http://ex01.contoso.com/PowerShell/' -Authentication Kerberos -ErrorAction Stop; Import-PSSession -Session $ExchangeSession -DisableNameChecking -AllowClobber -ErrorAction Stop | Out-Null",
      ],
    });
  });

  it.each([
    "http://ex01.contoso.com/PowerShell/'; Restart-Computer",
    'http://ex01.contoso.com/PowerShell/?x=1',
    'http://user:pw@ex01/PowerShell/',
    'ftp://ex01/PowerShell/',
    'http://ex01/Power Shell/',
    'not a url',
  ])('refuses %s', (connectionUri) => {
    expect(buildSessionSetup({ connectionUri }).ok).toBe(false);
  });
});
