import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { classifyKey, KEY, UNSUPPORTED_KEYS } from '../../src/ingress/annotations.ts';
import { repoRoot } from './render.ts';

/** Rows of the annotation table: `key` (with `<placeholders>`) → status. */
function annotationTable(): Map<string, string> {
  const text = readFileSync(join(repoRoot, 'docs', 'migrating-from-aws-lbc.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const m of text.matchAll(/^\| `([a-z0-9.<>-]+)`\s+\| (Supported|Not yet)\s+\|/gm)) {
    rows.set(m[1] ?? '', m[2] ?? '');
  }
  return rows;
}

/** A concrete key for a documented one: placeholders filled in. */
const concrete = (documented: string) => documented.replace(/<[a-z]+>/g, 'x');
/** The documented spelling of a code key or prefix. */
const prefixOf = (documented: string) => documented.replace(/<[a-z]+>.*$/, '');

it('the migration guide lists every annotation the code knows, with the status the code gives it', () => {
  const rows = annotationTable();
  assert.ok(rows.size > 40, `parsed ${rows.size} rows`);
  for (const [key, status] of rows) {
    const kind = classifyKey(concrete(key));
    assert.equal(kind, status === 'Supported' ? 'known' : 'unsupported', `${key} is documented as ${status}`);
  }
  const documented = new Set([...rows.keys()].map(prefixOf));
  for (const key of [...Object.values(KEY), ...UNSUPPORTED_KEYS]) {
    assert.ok(documented.has(key), `docs/migrating-from-aws-lbc.md lacks ${key}`);
  }
});
