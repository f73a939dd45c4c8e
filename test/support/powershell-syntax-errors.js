'use strict';
/**
 * Prints, as JSON, the syntax errors tree-sitter-powershell finds in the script on stdin. Run in
 * a child process: the native grammar cannot be loaded by two test files in one jest worker.
 */
const path = require('node:path');
const Parser = require('tree-sitter');
const root = path.dirname(require.resolve('tree-sitter-powershell/package.json'));
const language = require('node-gyp-build')(root);
language.nodeTypeInfo = require(path.join(root, 'src', 'node-types.json'));
const parser = new Parser();
parser.setLanguage(language);
const source = require('node:fs').readFileSync(0, 'utf8');
const errors = [];
const walk = (node) => {
  if (node.type === 'ERROR' || node.isMissing) {
    errors.push(
      `${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.type}: ${node.text.slice(0, 60)}`,
    );
  }
  for (const child of node.children) walk(child);
};
walk(parser.parse(source).rootNode);
process.stdout.write(JSON.stringify(errors));
