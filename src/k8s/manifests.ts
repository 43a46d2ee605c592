import { parseAllDocuments } from 'yaml';
import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { ClusterSnapshot } from '../ingress/types.ts';
import { snapshotFromObjects } from './convert.ts';

/**
 * Multi-document YAML (or JSON) manifests → a ClusterSnapshot, as `portico plan -f`, `portico
 * render -f` and the golden tests read them. A document that does not parse is reported with its
 * position and skipped; the others are still read.
 */
export function snapshotFromManifests(
  text: string,
  source = 'manifests',
): { snapshot: ClusterSnapshot; diagnostics: Diagnostic[] } {
  const objects: unknown[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const where = e?.linePos?.[0] === undefined ? '' : ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})`;
      diagnostics.push(
        diagnostic(
          'InvalidManifest',
          { kind: 'File', name: source },
          `documents[${i}]`,
          `${(e?.message ?? 'unparsable').split('\n')[0] ?? ''}${where}`,
        ),
      );
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) objects.push(value);
  }
  const converted = snapshotFromObjects(objects);
  return { snapshot: converted.snapshot, diagnostics: [...diagnostics, ...converted.diagnostics] };
}
