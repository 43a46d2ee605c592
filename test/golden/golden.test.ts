import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR, render, runCase } from './harness.ts';
import { checkQuotas } from '../../src/model/quotas.ts';
import type { Stack } from '../../src/model/stack.ts';

const update = process.env['UPDATE_GOLDEN'] === '1';
const cases = readdirSync(GOLDEN_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(GOLDEN_DIR, d.name, 'ingress.yaml')))
  .map((d) => d.name)
  .sort();

function stacksOf(output: unknown): Stack[] {
  const groups = (output as { groups: Array<{ stack?: Stack }> }).groups;
  return groups.flatMap((g) => (g.stack === undefined ? [] : [g.stack]));
}

describe('golden translation cases', () => {
  it('has at least 60 cases', () => assert.ok(cases.length >= 60, `only ${cases.length} cases`));

  for (const name of cases) {
    it(name.replace(/-/g, ' '), () => {
      const output = runCase(name);
      const text = render(output);
      assert.equal(render(runCase(name)), text, 'translating twice gives identical bytes');
      for (const stack of stacksOf(output)) {
        const ids = new Set(stack.targetGroups.map((t) => t.id));
        for (const l of stack.listeners) {
          const priorities = l.rules.map((r) => r.priority);
          assert.equal(new Set(priorities).size, priorities.length, `priorities unique on listener ${l.port}`);
          for (const a of [...l.defaultActions, ...l.rules.flatMap((r) => r.actions)]) {
            if (a.type === 'forward')
              for (const g of a.targetGroups) assert.ok(ids.has(g.targetGroupId), `${g.targetGroupId} exists`);
          }
        }
        assert.deepEqual(
          checkQuotas(stack, { kind: 'IngressGroup', name: stack.id }),
          [],
          'the stack is within ALB quotas',
        );
      }
      const file = join(GOLDEN_DIR, name, 'stack.json');
      if (update) writeFileSync(file, text);
      assert.ok(existsSync(file), `${name}/stack.json is missing (UPDATE_GOLDEN=1 writes it; review the diff)`);
      // Compared as data: the files are kept prettier-formatted, which may wrap lines differently.
      assert.deepEqual(
        JSON.parse(text),
        JSON.parse(readFileSync(file, 'utf8')),
        `golden ${name}/stack.json differs (UPDATE_GOLDEN=1 rewrites it; then run prettier on test/golden)`,
      );
    });
  }
});
