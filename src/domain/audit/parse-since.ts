/**
 * `--since` as an operator types it: an ISO time (`2026-11-27T03:00Z`, `2026-11-27`) or an age
 * (`30m`, `12h`, `7d`). Returns the ISO time, or null when it is neither.
 */
export function parseSince(text: string, now: Date): string | null {
  const age = /^(\d+)\s*(m|h|d)$/i.exec(text.trim());
  if (age) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[
      (age[2] as string).toLowerCase() as 'm' | 'h' | 'd'
    ];
    return new Date(now.getTime() - Number(age[1]) * unit).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return null;
  const t = Date.parse(text.trim());
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}
