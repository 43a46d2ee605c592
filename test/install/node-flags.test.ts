import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONTROLLER_ENV, CONTROLLER_NODE_FLAGS } from '../../src/cli/node-flags.ts';

/** The image, the manifests and the benchmarks start the controller the same way (src/cli/node-flags.ts). */
describe('controller Node.js settings', () => {
  const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

  it('the Dockerfile entrypoint passes the flags and sets the environment', () => {
    const dockerfile = read('Dockerfile');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    assert.ok(entrypoint !== undefined, 'an exec-form ENTRYPOINT');
    const argv = JSON.parse(entrypoint) as string[];
    assert.equal(argv[0], 'node');
    assert.deepEqual(argv.slice(1, 1 + CONTROLLER_NODE_FLAGS.length), [...CONTROLLER_NODE_FLAGS]);
    for (const [k, v] of Object.entries(CONTROLLER_ENV))
      assert.match(dockerfile, new RegExp(`^ENV .*\\b${k}=${v}\\b`, 'm'));
  });

  it('both manifests set the environment', () => {
    for (const path of ['manifests/base/deployment.yaml', 'manifests/helm/portico/templates/deployment.yaml']) {
      const text = read(path);
      for (const [k, v] of Object.entries(CONTROLLER_ENV)) {
        assert.match(text, new RegExp(`- name: ${k}\\n\\s+value: ['"]${v}['"]`), `${path} sets ${k}`);
      }
    }
  });
});
