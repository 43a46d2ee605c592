import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './paths.ts';

/**
 * The example application behind an Ingress: the same objects as manifests/examples/echo-ingress.yaml, so
 * the CDK app and the documentation cannot drift apart.
 */
export function exampleAppManifests(): Record<string, unknown>[] {
  const text = readFileSync(join(repoRoot, 'manifests', 'examples', 'echo-ingress.yaml'), 'utf8');
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);
}
