import { DateTime } from 'luxon';

/**
 * SCOM times arrive as ISO strings, as Windows PowerShell 5.1's `/Date(ms)/`, or as US local-time
 * strings (`5/14/2024 11:12:33 AM`) from `$Data/.../TimeRaisedLocal$`. Strings without an offset
 * are read in `zone`. Returns an ISO string in UTC, or null when the value is not a time.
 */
export function parseScomTime(value: unknown, zone: string): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return fromMillis(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();

  const msDate = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(text);
  if (msDate) return fromMillis(Number(msDate[1]));

  const iso = DateTime.fromISO(text, { zone, setZone: false });
  if (iso.isValid) return iso.toUTC().toISO();

  for (const format of US_FORMATS) {
    const local = DateTime.fromFormat(text, format, { zone, locale: 'en-US' });
    if (local.isValid) return local.toUTC().toISO();
  }
  return null;
}

const US_FORMATS = [
  'M/d/yyyy h:mm:ss a',
  'M/d/yyyy h:mm a',
  'M/d/yyyy H:mm:ss',
  'M/d/yyyy H:mm',
  'M/d/yyyy',
];

function fromMillis(ms: number): string | null {
  const dt = DateTime.fromMillis(ms, { zone: 'utc' });
  return dt.isValid ? dt.toISO() : null;
}
