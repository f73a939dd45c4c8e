/**
 * The configured server inventory, when there is one: an action may name only a server in it.
 * Names compare by their first label, case-insensitively, so `EX01` and `ex01.contoso.com` match.
 */
const shortName = (name: string): string => (name.split('.')[0] ?? name).toLowerCase();

/** Returns the reason a server is refused, or null when it may be used. */
export function checkInventory(
  server: string,
  inventory: readonly string[] | undefined,
): string | null {
  if (inventory === undefined) return null;
  const wanted = shortName(server.trim().replace(/\.$/, ''));
  if (inventory.some((s) => shortName(s) === wanted)) return null;
  return `server "${server}" is not in the configured inventory`;
}
