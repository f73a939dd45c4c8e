import path from 'node:path';
import Parser from 'tree-sitter';

/**
 * tree-sitter-powershell, an independent PowerShell parser. Its ESM entry uses top-level await,
 * which CommonJS cannot require, so the prebuilt binding is loaded the way that entry loads it.
 */
export function createPowerShellParser(): Parser {
  const root = path.dirname(require.resolve('tree-sitter-powershell/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- node-gyp-build has no types and is CommonJS
  const nodeGypBuild = require('node-gyp-build') as (
    dir: string,
  ) => Parser.Language & { nodeTypeInfo?: unknown };
  const language = nodeGypBuild(root);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- JSON data shipped by the grammar
  language.nodeTypeInfo = require(path.join(root, 'src', 'node-types.json'));
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** Every syntax error tree-sitter found, as `line:column type`. */
export function syntaxErrors(tree: Parser.Tree): string[] {
  const errors: string[] = [];
  const walk = (node: Parser.SyntaxNode): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      errors.push(
        `${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.isMissing ? `missing ${node.type}` : 'error'}: ${node.text.slice(0, 60)}`,
      );
    }
    for (const child of node.children) walk(child);
  };
  walk(tree.rootNode);
  return errors;
}
