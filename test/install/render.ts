/**
 * Renders Portico's install the two ways users do (Helm, kustomize) with the pinned helm and kubectl, and
 * reads the result as plain objects.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { toolPath } from '../../scripts/setup-tools.ts';

const run = promisify(execFile);

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A Kubernetes object as rendered: only the fields the tests look at are typed. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

export const chartDir = join(repoRoot, 'manifests', 'helm', 'portico');
export const manifestsDir = join(repoRoot, 'manifests');

/** Parses a multi-document YAML stream, skipping empty documents. */
export function parseObjects(text: string): RenderedObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as RenderedObject | null;
    })
    .filter((o): o is RenderedObject => o !== null);
}

/** Runs a pinned tool and returns stdout; a failure carries stderr in its message. */
export async function tool(name: 'helm' | 'kubectl', args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(toolPath(name), [...args], { cwd: repoRoot, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (e: unknown) {
    const stderr = typeof e === 'object' && e !== null && 'stderr' in e ? String(e.stderr) : '';
    throw new Error(`${name} ${args.join(' ')} failed: ${stderr || String(e)}`, { cause: e });
  }
}

/** `helm template portico <chart> -n <namespace> --include-crds` with `--set`/`--set-json` pairs. */
export async function helmTemplate(
  sets: Readonly<Record<string, string>>,
  options: { namespace?: string; release?: string; setJson?: Readonly<Record<string, unknown>> } = {},
): Promise<RenderedObject[]> {
  const args = ['template', options.release ?? 'portico', chartDir, '-n', options.namespace ?? 'portico-system'];
  args.push('--include-crds');
  for (const [key, value] of Object.entries(sets)) args.push('--set', `${key}=${value}`);
  for (const [key, value] of Object.entries(options.setJson ?? {}))
    args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  return parseObjects(await tool('helm', args));
}

/** `kubectl kustomize <dir>` (relative to manifests/). */
export async function kustomize(dir: string): Promise<RenderedObject[]> {
  return parseObjects(await tool('kubectl', ['kustomize', join(manifestsDir, dir)]));
}

/** `kind/namespace/name`, the identity of an object in a rendering. */
export function objectKey(o: RenderedObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Finds one object by kind and name, or fails naming what is there. */
export function find(objects: readonly RenderedObject[], kind: string, name: string): RenderedObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among ${objects.map(objectKey).join(', ')}`);
  return found;
}
