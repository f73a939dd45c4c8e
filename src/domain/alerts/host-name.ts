import type { ServerRef } from './alert';

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * Host-name syntax (RFC 1123 labels; a NetBIOS name is a single label). Anything else, including
 * every quote, separator and whitespace character, makes the name invalid, so it can never be
 * handed to PowerShell.
 */
export function checkHostName(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 253) return 'is longer than 253 characters';
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      return 'is not a valid host name (letters, digits and "-" in dot-separated labels)';
    }
  }
  if (/^[0-9]+$/.test(labels[0] ?? '')) return 'is not a valid host name (all digits)';
  return null;
}

export function toServerRef(name: string): ServerRef {
  const trimmed = name.trim();
  const reason = checkHostName(trimmed);
  if (reason !== null) {
    return { name: trimmed, fqdn: null, short: trimmed, valid: false, reason: `server ${reason}` };
  }
  const bare = trimmed.replace(/\.$/, '');
  const short = (bare.split('.')[0] ?? bare).toUpperCase();
  return { name: bare, fqdn: bare.includes('.') ? bare.toLowerCase() : null, short, valid: true };
}

/** The identity two alerts about the same machine share, whether they name it by FQDN or not. */
export function serverKey(server: ServerRef | null): string {
  if (server === null) return 'unknown-server';
  return server.valid ? server.short.toLowerCase() : `invalid:${server.name.toLowerCase()}`;
}
