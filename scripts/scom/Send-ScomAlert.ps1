<#
.SYNOPSIS
    Sends one SCOM alert to exchange-chatops.

.DESCRIPTION
    Run by a SCOM command notification channel (as Local System on the management server):

        powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\exchange-chatops\Send-ScomAlert.ps1" -AlertId "$Data[Default='NotPresent']/Context/DataItem/AlertId$"

    Reads the alert with Get-SCOMAlert (so repeats, resolution state and custom fields are
    current), and POSTs it as JSON to the exchange-chatops webhook with the bearer token. Retries
    a few times on network errors, 408, 429 and 5xx; gives up at once on other 4xx answers,
    which mean the request itself is wrong. Writes what it did to the Application event log
    (source "exchange-chatops") when that source exists, else to standard output.

    The token is read from a file (default: exchange-chatops.token next to this script), never
    from the command line, where any local user could read it in the process list. Restrict the
    file to SYSTEM and Administrators; see docs/scom.md.

.PARAMETER AlertId
    The SCOM alert id ($Data/Context/DataItem/AlertId$), with or without braces.

.PARAMETER WebhookUrl
    The webhook, e.g. https://chatops.contoso.com/api/alerts/scom. Must be https unless
    -AllowHttp is given (for a test lab).

.PARAMETER TokenPath
    File holding SCOM_WEBHOOK_TOKEN.

.PARAMETER DryRun
    Print the JSON that would be sent, and send nothing.

.EXAMPLE
    .\Send-ScomAlert.ps1 -AlertId 6f1c3e9a-2b4d-4e8f-9a1b-3c5d7e9f1a2b -WebhookUrl https://chatops.contoso.com/api/alerts/scom -DryRun
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [ValidatePattern('^\{?[0-9A-Fa-f-]{36}\}?$')]
    [string] $AlertId,

    [Parameter(Mandatory = $true)]
    [ValidatePattern('^https?://')]
    [string] $WebhookUrl,

    [string] $TokenPath = (Join-Path -Path $PSScriptRoot -ChildPath 'exchange-chatops.token'),

    [ValidateRange(1, 300)]
    [int] $TimeoutSec = 30,

    [ValidateRange(1, 10)]
    [int] $MaxAttempts = 4,

    [switch] $AllowHttp,

    [switch] $DryRun
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$EventSource = 'exchange-chatops'

function Write-Log {
    param(
        [Parameter(Mandatory = $true)] [string] $Message,
        [ValidateSet('Information', 'Warning', 'Error')] [string] $Level = 'Information'
    )
    $sourceExists = $false
    try { $sourceExists = [System.Diagnostics.EventLog]::SourceExists($EventSource) } catch { $sourceExists = $false }
    if ($sourceExists) {
        Write-EventLog -LogName Application -Source $EventSource -EventId 1000 -EntryType $Level -Message $Message
    }
    else {
        Write-Output ("{0} [{1}] {2}" -f (Get-Date -Format o), $Level, $Message)
    }
}

if (-not $AllowHttp -and $WebhookUrl -notmatch '^https://') {
    throw "WebhookUrl must use https (or pass -AllowHttp for a test lab): $WebhookUrl"
}

# Windows PowerShell 5.1 may default to TLS 1.0; the webhook needs 1.2 or later.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

$id = $AlertId.Trim('{', '}')
Import-Module OperationsManager -ErrorAction Stop
$alert = Get-SCOMAlert -Id $id
if ($null -eq $alert) {
    Write-Log -Level Warning -Message "SCOM alert $id was not found; nothing sent."
    exit 1
}

# The fields exchange-chatops reads, plus the ones an operator may want to see on the card.
$properties = @(
    'Id', 'Name', 'Description', 'Severity', 'Priority', 'ResolutionState',
    'MonitoringObjectDisplayName', 'MonitoringObjectPath', 'MonitoringObjectFullName',
    'PrincipalName', 'NetbiosComputerName', 'NetbiosDomainName',
    'TimeRaised', 'LastModified', 'TimeResolved', 'ResolvedBy', 'RepeatCount',
    'IsMonitorAlert', 'Category', 'Owner', 'TicketId',
    'CustomField1', 'CustomField2', 'CustomField3', 'CustomField4', 'CustomField5',
    'CustomField6', 'CustomField7', 'CustomField8', 'CustomField9', 'CustomField10'
)
$payload = $alert | Select-Object -Property $properties
$json = $payload | ConvertTo-Json -Depth 3 -Compress

if ($DryRun) {
    Write-Output $json
    exit 0
}

if (-not (Test-Path -LiteralPath $TokenPath)) {
    throw "Token file not found: $TokenPath (see docs/scom.md)"
}
$token = (Get-Content -LiteralPath $TokenPath -Raw).Trim()
$headers = @{ Authorization = "Bearer $token" }
# Send bytes: Windows PowerShell 5.1 would otherwise encode a string body as ISO-8859-1.
$body = [System.Text.Encoding]::UTF8.GetBytes($json)

for ($attempt = 1; $attempt -le $MaxAttempts; $attempt++) {
    try {
        $response = Invoke-RestMethod -Method Post -Uri $WebhookUrl -Headers $headers -Body $body `
            -ContentType 'application/json; charset=utf-8' -TimeoutSec $TimeoutSec -UseBasicParsing
        $outcome = ($response.results | ForEach-Object { "$($_.outcome) $($_.incidentId)" }) -join ', '
        Write-Log -Message "Sent SCOM alert $id (attempt $attempt): $outcome"
        exit 0
    }
    catch {
        $status = 0
        if ($null -ne $_.Exception.Response) { $status = [int]$_.Exception.Response.StatusCode }
        $retryable = ($status -eq 0) -or ($status -eq 408) -or ($status -eq 429) -or ($status -ge 500)
        if (-not $retryable -or $attempt -eq $MaxAttempts) {
            Write-Log -Level Error -Message "Could not send SCOM alert $id (HTTP $status, attempt $attempt): $($_.Exception.Message)"
            exit 2
        }
        $delay = [Math]::Min(30, [Math]::Pow(2, $attempt))
        Write-Log -Level Warning -Message "Sending SCOM alert $id failed (HTTP $status, attempt $attempt); retrying in $delay s"
        Start-Sleep -Seconds $delay
    }
}
