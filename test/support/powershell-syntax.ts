import path from 'node:path';
import Parser from 'tree-sitter';

/**
 * An independent PowerShell parser for tests: tree-sitter-powershell. Its ESM entry uses top-level
 * await, so the native binding is loaded directly from CommonJS.
 *
 * Use it from ONE test file (src/domain/actions/hostile-values.test.ts): tree-sitter's JS wrapper patches
 * the native Tree prototype when it is required, and a second test file in the same jest worker
 * re-requires it over the patched prototype, after which every `rootNode` is undefined.
 */
let parser: Parser | null = null;

function getParser(): Parser {
  if (parser) return parser;
  const dir = path.dirname(require.resolve('tree-sitter-powershell/package.json'));
  // node-gyp-build has no types; it returns the native language object tree-sitter expects.
  // Resolved from the grammar's own folder: it is the grammar's dependency, not ours.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path resolved at run time
  const load = require(require.resolve('node-gyp-build', { paths: [dir] })) as (
    d: string,
  ) => Parser.Language & {
    nodeTypeInfo?: unknown;
  };
  const language = load(dir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- JSON beside the grammar
  language.nodeTypeInfo = require(path.join(dir, 'src/node-types.json'));
  parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export function parsePowerShell(script: string): Parser.Tree {
  const tree = getParser().parse(script);
  if (tree.rootNode === undefined) {
    throw new Error('tree-sitter was loaded twice in this jest worker: keep its tests in one file');
  }
  return tree;
}

/** Every node, depth first. */
export function* walk(node: Parser.SyntaxNode): Generator<Parser.SyntaxNode> {
  yield node;
  for (const child of node.children) yield* walk(child);
}

/**
 * The tree's shape with the text of single-quoted literals blanked: two scripts with the same
 * signature differ only in the contents of their string literals.
 */
export function signature(node: Parser.SyntaxNode): string {
  if (node.type === 'string_literal') return `${node.type}(${node.child(0)?.type ?? ''})`;
  if (node.childCount === 0) return `${node.type}:${JSON.stringify(node.text)}`;
  return `${node.type}[${node.children.map(signature).join(' ')}]`;
}

export const UNICODE_SINGLE_QUOTES = ['\u2018', '\u2019', '\u201A', '\u201B'];
const isQuote = (c: string | undefined): boolean =>
  c === "'" || (c !== undefined && UNICODE_SINGLE_QUOTES.includes(c));

export interface QuotedSpan {
  start: number;
  end: number;
  /** The literal's value: outer quotes removed, each doubled quote read as one. */
  value: string;
}

/**
 * Our own scanner for single-quoted literals, with PowerShell's rule that any of the five quote
 * characters opens, closes or (doubled) escapes one; tree-sitter knows only the ASCII quote.
 * It skips double-quoted strings and comments, which our scripts never contain outside literals.
 */
export function scanSingleQuoted(script: string): QuotedSpan[] {
  const spans: QuotedSpan[] = [];
  let i = 0;
  while (i < script.length) {
    if (!isQuote(script[i])) {
      i++;
      continue;
    }
    const start = i;
    let value = '';
    i++;
    for (;;) {
      if (i >= script.length) throw new Error(`unterminated literal at ${start}`);
      const c = script[i]!;
      if (isQuote(c)) {
        if (isQuote(script[i + 1])) {
          value += script[i + 1];
          i += 2;
          continue;
        }
        i++;
        break;
      }
      value += c;
      i++;
    }
    spans.push({ start, end: i, value });
  }
  return spans;
}
