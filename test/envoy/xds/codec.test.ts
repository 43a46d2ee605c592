import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBinary, fromJson, toJson } from '@bufbuild/protobuf';
import type { JsonValue as BufJson } from '@bufbuild/protobuf';
import { renderStack } from '../../../src/envoy/render.ts';
import { MESSAGE } from '../../../src/envoy/type-urls.ts';
import { decodeMessage, encodeMessage, ResourceEncodingError } from '../../../src/envoy/xds/codec.ts';
import { envoyRegistry } from '../support/envoy-protos.ts';
import { certificates, everythingStack } from '../support/fixtures.ts';

/** The xDS wire codec (protobufjs) agrees byte-for-meaning with the official protos (@bufbuild). */

const kinds = [
  ['listeners', MESSAGE.listener],
  ['routes', MESSAGE.routeConfiguration],
  ['clusters', MESSAGE.cluster],
  ['endpoints', MESSAGE.clusterLoadAssignment],
  ['secrets', MESSAGE.secret],
] as const;

test('encoded resources decode (by @bufbuild) to the same message as the rendered JSON, and decode back', () => {
  const registry = envoyRegistry();
  const { resources } = renderStack(everythingStack(), { certificates, instanceAddresses: { 'i-0abc': '127.0.0.9' } });
  let count = 0;
  for (const [kind, message] of kinds) {
    const schema = registry.getMessage(message);
    assert.ok(schema);
    for (const json of resources[kind]) {
      const plain = JSON.parse(JSON.stringify(json)) as BufJson;
      const expected: BufJson = toJson(schema, fromJson(schema, plain, { registry }), {
        registry,
        useProtoFieldName: true,
      });
      const bytes = encodeMessage(message, json);
      assert.deepEqual(toJson(schema, fromBinary(schema, bytes), { registry, useProtoFieldName: true }), expected);
      const back = JSON.parse(JSON.stringify(decodeMessage(message, bytes))) as BufJson;
      assert.deepEqual(
        toJson(schema, fromJson(schema, back, { registry }), { registry, useProtoFieldName: true }),
        expected,
      );
      count++;
    }
  }
  assert.ok(count > 10);
});

test('the codec rejects unknown fields, bad durations and bad enum names, naming the place', () => {
  assert.throws(
    () => encodeMessage(MESSAGE.cluster, { name: 'c', lb_polcy: 'RANDOM' }),
    (e: unknown) => e instanceof ResourceEncodingError && /lb_polcy/.test(e.message),
  );
  assert.throws(() => encodeMessage(MESSAGE.cluster, { name: 'c', connect_timeout: '5' }), /connect_timeout.*duration/);
  assert.throws(() => encodeMessage(MESSAGE.cluster, { name: 'c', lb_policy: 'FASTEST' }), /FASTEST/);
});
