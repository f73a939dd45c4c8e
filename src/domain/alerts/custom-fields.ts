import type { FieldError } from './alert';

/**
 * Bounds on what an alert may carry besides the fields the bot reads (CustomField1..10, Owner,
 * TicketId, Context, ...). Those are kept with the alert (`raw`) and fingerprinted, so without a
 * bound one alert could make every later read, write and fingerprint of it slow, or overflow the
 * stack of JSON.stringify. `Send-ScomAlert.ps1` sends `ConvertTo-Json -Depth 3`, so 32 levels and
 * 65,536 characters a field leave a wide margin for any real sender. docs/scom.md states these numbers.
 */
export const CUSTOM_FIELD_LIMITS = {
  /** Levels of arrays and objects within one field's value (a string or number is 0). */
  depth: 32,
  /** One field's value as JSON, in characters (UTF-16 code units, as the other text limits). */
  fieldChars: 64 * 1024,
  /** All such fields of one alert together. */
  totalChars: 128 * 1024,
};

/**
 * Refuses a field nested too deep or too large. The depth of every field is measured, even of the
 * ones the schema reads, because this runs before the schema (a coercion such as Number([[...]])
 * would otherwise walk a deep value); sizes count only the fields in `sized` (the schema bounds
 * the others). Walks with a stack of its own: the input is what cannot be trusted to be shallow.
 */
export function checkCustomFields(
  raw: Record<string, unknown>,
  sized: ReadonlySet<string>,
  limits = CUSTOM_FIELD_LIMITS,
): FieldError[] {
  const errors: FieldError[] = [];
  let total = 0;
  for (const [field, value] of Object.entries(raw)) {
    if (depthExceeds(value, limits.depth)) {
      errors.push({ field, reason: `is nested deeper than ${limits.depth} levels` });
      continue;
    }
    if (!sized.has(field)) continue;
    // Shallow now, so JSON.stringify's own recursion is safe.
    const chars = (JSON.stringify(value) ?? '').length;
    if (chars > limits.fieldChars) {
      errors.push({ field, reason: `is longer than ${limits.fieldChars} characters as JSON` });
      continue;
    }
    total += chars;
  }
  if (errors.length === 0 && total > limits.totalChars) {
    errors.push({
      field: '(alert)',
      reason: `the fields the bot does not read are longer than ${limits.totalChars} characters together as JSON`,
    });
  }
  return errors;
}

/** True once any array or object in `value` sits more than `max` levels down. */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    // A cycle (never from JSON, possible from a caller in code) ends here too, by depth.
    for (const child of Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
