/**
 * JSON with object keys in sorted order (by UTF-16 code unit) at every level, so equal data gives
 * equal text whatever order its keys arrived in: the basis of fingerprints, signatures and the
 * audit hash chain. The one canonical JSON of the code base: change nothing in its output, or
 * stored hashes stop verifying (hash-chain.test.ts pins them).
 *
 * Members that are `undefined` are left out; `undefined`, functions and symbols in arrays, and
 * non-finite numbers, read as `null`, as in JSON.stringify. Unlike JSON.stringify, `toJSON` is not
 * called (a Date is an object without own keys: `{}`).
 *
 * It walks the value with a stack of its own rather than by recursion, so a deeply nested value
 * (a webhook body can be nested 100,000 deep) cannot overflow the call stack. A cycle throws.
 */
export function stableStringify(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  // The containers being written, to refuse a cycle instead of looping forever.
  const open = new Set<object>();

  const write = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
      return;
    }
    if (open.has(v)) throw new TypeError('stableStringify: the value holds a cycle');
    open.add(v);
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ items: v as readonly unknown[], next: 0 });
      return;
    }
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    out.push('{');
    stack.push({ obj, keys, next: 0 });
  };

  write(value);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if ('items' in top) {
      if (top.next === top.items.length) {
        out.push(']');
        open.delete(top.items);
        stack.pop();
        continue;
      }
      if (top.next > 0) out.push(',');
      // A hole in a sparse array reads as null, as in JSON.
      write(top.items[top.next++]);
    } else {
      if (top.next === top.keys.length) {
        out.push('}');
        open.delete(top.obj);
        stack.pop();
        continue;
      }
      if (top.next > 0) out.push(',');
      const key = top.keys[top.next++] as string;
      out.push(JSON.stringify(key), ':');
      write(top.obj[key]);
    }
  }
  return out.join('');
}

/** An array or object being written, and how far. */
type Frame =
  | { items: readonly unknown[]; next: number }
  | { obj: Record<string, unknown>; keys: string[]; next: number };
