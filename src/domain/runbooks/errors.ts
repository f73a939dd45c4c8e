/** One problem in a runbook file: which file, where inside it, and what is wrong. */
export interface RunbookIssue {
  file: string;
  /** A path such as `sections[2].steps[0].kind`, or `(line 4, column 3)` for broken YAML. */
  path: string;
  reason: string;
}

export function formatIssue(issue: RunbookIssue): string {
  return issue.path === ''
    ? `${issue.file}: ${issue.reason}`
    : `${issue.file}: ${issue.path}: ${issue.reason}`;
}

/** Thrown when a runbook directory does not load: start-up fails with every problem listed. */
export class RunbookCatalogError extends Error {
  readonly code = 'RUNBOOK_INVALID';
  constructor(readonly issues: RunbookIssue[]) {
    super(
      `Invalid runbooks (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${formatIssue(i)}`).join('\n'),
    );
    this.name = 'RunbookCatalogError';
  }
}

/** `['sections', 2, 'steps', 0, 'kind']` -> `sections[2].steps[0].kind`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
