import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, hashOf, shortHash } from '../../src/model/canonical.ts';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }),
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same bytes for objects built in different key orders', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        assert.equal(canonicalJson(reversed), canonicalJson(obj));
        assert.equal(hashOf(reversed), hashOf(obj));
      }),
    );
  });

  it('keeps array order, because order is meaning (rule actions, certificates)', () => {
    assert.notEqual(hashOf([1, 2]), hashOf([2, 1]));
  });

  it('short hashes are lowercase hex of the requested length', () => {
    assert.match(shortHash({ a: 1 }, 10), /^[0-9a-f]{10}$/);
  });
});
