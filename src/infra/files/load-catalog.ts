import type { Catalog, Layer } from '../../domain/runbooks/catalog';
import { catalogFromTexts, type RunbookText } from '../../domain/runbooks/catalog-from-texts';
import { RunbookCatalogError } from '../../domain/runbooks/errors';
import { readRunbookFiles, shippedRunbooksDir } from './read-runbook-files';

export interface LoadCatalogOptions {
  /** RUNBOOKS_DIR: an operator directory that adds health sets or overrides sections. */
  operatorDir?: string | undefined;
  /** Defaults to the package's runbooks/. */
  shippedDir?: string | undefined;
}

/** Reads the shipped and operator runbooks. Throws RunbookCatalogError listing every problem. */
export function loadCatalog(options: LoadCatalogOptions = {}): Catalog {
  const layers: { layer: Layer; files: RunbookText[] }[] = [
    { layer: 'shipped', files: readRunbookFiles(options.shippedDir ?? shippedRunbooksDir()) },
  ];
  if (options.operatorDir) {
    layers.push({ layer: 'operator', files: readRunbookFiles(options.operatorDir) });
  }
  const result = catalogFromTexts(layers);
  if (!result.ok) throw new RunbookCatalogError(result.issues);
  return result.catalog;
}
