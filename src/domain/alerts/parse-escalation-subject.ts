/**
 * Managed Availability's escalation subject:
 * `<HealthSet> health set unhealthy (<Monitor>/<TargetResource>) - <text>`.
 * SCOM may put it in the alert Name or only in the Description, so callers try both.
 */
export interface EscalationSubject {
  healthSet: string;
  monitor: string;
  targetResource: string | null;
  failureText: string | null;
}

const SUBJECT =
  /(?:^|\s)([A-Za-z][A-Za-z0-9.]*) health set unhealthy \(([A-Za-z0-9_.]+)(?:\/([^)\r\n]*))?\)(?:\s*-\s*([^\r\n]*))?/;

export function parseEscalationSubject(text: string): EscalationSubject | null {
  const m = SUBJECT.exec(text);
  if (!m || !m[1] || !m[2]) return null;
  const target = m[3]?.trim();
  const failure = m[4]?.trim();
  return {
    healthSet: m[1],
    monitor: m[2],
    targetResource: target ? target : null,
    failureText: failure ? failure : null,
  };
}

/** `_Mbx: <server>` in a CTP probe's error names the mailbox server behind the failing front end. */
export function findRelatedMailboxServer(text: string): string | null {
  const m = /_Mbx:\s*(\S+)/.exec(text);
  if (!m || !m[1]) return null;
  // Sentence punctuation after the name is not part of it.
  return m[1].replace(/[.,;:)\]]+$/, '');
}
