import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseLabelSelector, parseFieldSelector } from '../../../src/emulator/kube/selectors.ts';
import { strategicMerge, pruneDropped, metadataMergeKeys } from '../../../src/emulator/kube/strategic.ts';
import { jsonPatch, mergePatch } from '../../../src/emulator/kube/patch.ts';
import { validateIngress } from '../../../src/emulator/kube/validate-ingress.ts';
import { ApiError } from '../../../src/emulator/kube/status.ts';
import type { JsonObject } from '../../../src/emulator/kube/json.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'edge' };
  for (const [selector, expected] of [
    ['', true],
    ['app=web', true],
    ['app==web,tier=edge', true],
    ['app!=web', false],
    ['app in (api, web)', true],
    ['tier notin (edge)', false],
    ['app', true],
    ['!app', false],
    ['!missing,app', true],
    ['missing!=x', true],
  ] as const) {
    it(`"${selector}" ${expected ? 'matches' : 'does not match'} app=web,tier=edge`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), expected);
    });
  }
  it('refuses malformed syntax with a 400', () => {
    assert.throws(
      () => parseLabelSelector('app in (a'),
      (e) => e instanceof ApiError && e.code === 400,
    );
    assert.throws(
      () => parseFieldSelector('metadata.name'),
      (e) => e instanceof ApiError && e.code === 400,
    );
  });
});

describe('patches', () => {
  it('strategic merge unions finalizers, merges ports by key, honours $patch: delete', () => {
    const live = { metadata: { finalizers: ['a'] }, spec: { ports: [{ port: 80, name: 'http' }, { port: 443 }] } };
    const out = strategicMerge(
      live,
      {
        metadata: { finalizers: ['b', 'a'] },
        spec: {
          ports: [
            { port: 80, targetPort: 8080 },
            { port: 443, $patch: 'delete' },
          ],
        },
      },
      { ...metadataMergeKeys, 'spec.ports': 'port' },
    );
    assert.deepEqual(out, {
      metadata: { finalizers: ['a', 'b'] },
      spec: { ports: [{ port: 80, name: 'http', targetPort: 8080 }] },
    });
  });
  it('server-side apply pruning removes only what the manager stopped applying', () => {
    const live = { metadata: { labels: { a: '1', b: '2', other: 'x' } }, spec: { x: 1 } };
    const out = pruneDropped(
      live,
      { metadata: { labels: { a: '1', b: '2' } } },
      { metadata: { labels: { a: '1' } } },
      {},
    );
    assert.deepEqual(out, { metadata: { labels: { a: '1', other: 'x' } }, spec: { x: 1 } });
  });
  it('JSON patch applies ops in order and fails a failed test with 422', () => {
    assert.deepEqual(
      jsonPatch({ a: [1, 2] }, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'move', from: '/a', path: '/b' },
      ]),
      { b: [1, 2, 3] },
    );
    assert.throws(
      () => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]),
      (e) => e instanceof ApiError && e.code === 422,
    );
  });
  it('merge patch: patching with a document yields a doc that re-patching leaves unchanged (idempotent)', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), tie('object')),
      object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
    })).object;
    fc.assert(
      fc.property(json, json, (target, patch) => {
        const once = mergePatch(target, patch);
        assert.deepEqual(mergePatch(once, patch), once);
      }),
    );
  });
});

describe('Ingress validation', () => {
  const base = (paths: unknown[]): JsonObject => ({ spec: { rules: [{ host: 'a.example.com', http: { paths } }] } });
  const backend = { service: { name: 'web', port: { number: 80 } } };
  for (const [name, obj, fields] of [
    ['a valid Prefix path passes', base([{ path: '/api', pathType: 'Prefix', backend }]), []],
    ['a missing pathType is required', base([{ path: '/', backend }]), ['spec.rules[0].http.paths[0].pathType']],
    [
      'an unclean Exact path is refused',
      base([{ path: '/a//b', pathType: 'Exact', backend }]),
      ['spec.rules[0].http.paths[0].path'],
    ],
    [
      'a relative ImplementationSpecific path is refused',
      base([{ path: 'x', pathType: 'ImplementationSpecific', backend }]),
      ['spec.rules[0].http.paths[0].path'],
    ],
    [
      'both port name and number are refused',
      base([
        { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http', number: 80 } } } },
      ]),
      ['spec.rules[0].http.paths[0].backend.service.port'],
    ],
    [
      'a service name must be a DNS-1035 label',
      base([{ path: '/', pathType: 'Prefix', backend: { service: { name: '9web', port: { number: 80 } } } }]),
      ['spec.rules[0].http.paths[0].backend.service.name'],
    ],
    ['an empty spec needs rules or a default backend', { spec: {} }, ['spec']],
    ['a double wildcard host is refused', { spec: { rules: [{ host: '*.*.example.com' }] } }, ['spec.rules[0].host']],
    ['a wildcard host is allowed', { spec: { rules: [{ host: '*.example.com' }] } }, []],
  ] as const) {
    it(name, () => {
      assert.deepEqual(
        validateIngress(obj as JsonObject, { old: undefined, operation: 'create' }).map((c) => c.field),
        fields,
      );
    });
  }
});
