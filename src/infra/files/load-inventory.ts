import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseInventory, type Inventory } from '../../domain/inventory/inventory';

/** Reads INVENTORY_FILE; a bad file stops start-up with its name and every problem in it. */
export function loadInventory(file: string | undefined): Inventory | null {
  if (!file) return null;
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`inventory ${file}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const result = parseInventory(data);
  if (!result.ok) throw new Error(`inventory ${file}:\n  - ${result.errors.join('\n  - ')}`);
  return result.inventory;
}
