import { buildCatalog, type BuildResult, type LayeredFile } from './build-catalog';
import type { Layer } from './catalog';
import type { RunbookIssue } from './errors';
import { parseRunbookFile } from './parse-runbook-file';

/** A runbook file's name (for messages) and its text. */
export interface RunbookText {
  file: string;
  text: string;
}

/** Parses the texts of both layers and builds the catalogue. Pure. */
export function catalogFromTexts(
  layers: readonly { layer: Layer; files: readonly RunbookText[] }[],
): BuildResult {
  const issues: RunbookIssue[] = [];
  const parsed: LayeredFile[] = [];
  for (const { layer, files } of layers) {
    for (const { file, text } of files) {
      const result = parseRunbookFile(file, text);
      if (result.ok) parsed.push({ file, layer, runbook: result.file });
      else issues.push(...result.issues);
    }
  }
  // Reference errors between files are only meaningful once every file parsed.
  if (issues.length > 0) return { ok: false, issues };
  return buildCatalog(parsed);
}
