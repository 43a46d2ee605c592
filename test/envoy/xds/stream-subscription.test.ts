import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderStack } from '../../../src/envoy/render.ts';
import { TYPE_URL } from '../../../src/envoy/type-urls.ts';
import { buildSnapshot } from '../../../src/envoy/xds/snapshot.ts';
import { AdsStream } from '../../../src/envoy/xds/stream.ts';
import type { DiscoveryResponse } from '../../../src/envoy/xds/messages.ts';
import { silentLogger } from '../../../src/log.ts';
import { stack, targetGroup } from '../../support/stack.ts';

/**
 * Regression: a client applying a CDS response asks for the EDS names it now needs before it ACKs
 * the CDS response, carrying the nonce of the (already acknowledged) last EDS response. That nonce
 * is the latest one, so the request is a subscription change, not a stale request: the server must
 * honour it. (Found when `portico local --provider envoy` served nothing: the proxy never got its
 * endpoints or routes.)
 */
test('a request with the latest nonce after its ACK changes the subscription', () => {
  const resources = renderStack(
    stack({ targetGroups: [targetGroup('tg', { targets: [{ id: '127.0.0.1', port: 80 }] })] }),
    {
      mode: 'ads',
    },
  ).resources;
  const snapshot = buildSnapshot(resources);
  const sent: Array<Omit<DiscoveryResponse, 'controlPlane'>> = [];
  const stream = new AdsStream(
    { current: () => snapshot, previous: () => undefined },
    (r) => sent.push(r),
    () => undefined,
    silentLogger(),
  );
  const request = (typeUrl: string, responseNonce: string, resourceNames: string[] = [], versionInfo = '') => ({
    typeUrl,
    responseNonce,
    resourceNames,
    versionInfo,
    nodeId: 'n',
  });
  const lastOf = (url: string) => [...sent].reverse().find((r) => r.typeUrl === url);

  // EDS subscribed with no names first, answered (empty) and ACKed.
  stream.receive(request(TYPE_URL.endpoint, ''));
  const emptyEds = lastOf(TYPE_URL.endpoint);
  assert.ok(emptyEds);
  assert.equal(emptyEds.resources.length, 0);
  stream.receive(request(TYPE_URL.endpoint, emptyEds.nonce, [], emptyEds.versionInfo));

  // Now the client learns cluster names and asks for their endpoints with that same (latest) nonce.
  const edsName = String(resources.endpoints[0]?.['cluster_name']);
  stream.receive(request(TYPE_URL.endpoint, emptyEds.nonce, [edsName], emptyEds.versionInfo));
  const eds = lastOf(TYPE_URL.endpoint);
  assert.notEqual(eds?.nonce, emptyEds.nonce, 'a new EDS response was sent');
  assert.equal(eds?.resources.length, 1);

  // A request carrying an older nonce is still ignored.
  const before = sent.length;
  stream.receive(request(TYPE_URL.endpoint, emptyEds.nonce, [], ''));
  assert.equal(sent.length, before);
});
