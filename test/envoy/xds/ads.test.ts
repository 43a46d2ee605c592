import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fromJson, toJson } from '@bufbuild/protobuf';
import type { JsonValue as BufJson } from '@bufbuild/protobuf';
import { renderStack } from '../../../src/envoy/render.ts';
import type { EnvoyResources } from '../../../src/envoy/render.ts';
import type { JsonObject } from '../../../src/envoy/json.ts';
import { TYPE_URL } from '../../../src/envoy/type-urls.ts';
import { AdsServer } from '../../../src/envoy/xds/server.ts';
import type { StreamEvent } from '../../../src/envoy/xds/stream.ts';
import { forward, listener, path, rule, stack, targetGroup } from '../../support/stack.ts';
import { AdsTestClient } from '../support/ads-client.ts';
import type { Received } from '../support/ads-client.ts';
import { envoyRegistry } from '../support/envoy-protos.ts';
import { certificates, everythingStack } from '../support/fixtures.ts';

/** ADS against a real @grpc/grpc-js client: ordering, versions, nonces, ACK/NACK, updates, SDS. */

const servers: AdsServer[] = [];
const clients: AdsTestClient[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
});

let everything: EnvoyResources;
before(() => {
  everything = renderStack(everythingStack(), { certificates, instanceAddresses: { 'i-0abc': '127.0.0.9' } }).resources;
});

async function start(
  resources: EnvoyResources,
): Promise<{ server: AdsServer; client: AdsTestClient; events: StreamEvent[] }> {
  const server = new AdsServer();
  servers.push(server);
  const events: StreamEvent[] = [];
  server.on('event', (e: StreamEvent) => events.push(e));
  server.setResources(resources);
  const client = new AdsTestClient(await server.listen());
  clients.push(client);
  return { server, client, events };
}

/** A rendered resource as the official protos print it, for comparison with what came over the wire. */
function normalised(typeUrl: string, json: JsonObject): BufJson {
  const registry = envoyRegistry();
  const schema = registry.getMessage(typeUrl.replace('type.googleapis.com/', ''));
  assert.ok(schema);
  return toJson(schema, fromJson(schema, JSON.parse(JSON.stringify(json)) as BufJson, { registry }), {
    registry,
    useProtoFieldName: true,
  });
}

function names(r: Received, key = 'name'): string[] {
  return r.resources.map((x) => String((x as Record<string, unknown>)[key]));
}

/** Follows the initial handshake like Envoy: CDS+LDS wildcard, then EDS/RDS/SDS for what they reference. */
async function syncAll(client: AdsTestClient, resources: EnvoyResources): Promise<Record<string, Received>> {
  client.request(TYPE_URL.cluster);
  client.request(TYPE_URL.listener);
  const cds = await client.next();
  assert.equal(cds.typeUrl, TYPE_URL.cluster, 'clusters come first');
  const clusterNames = names(cds);
  client.request(TYPE_URL.endpoint, { names: clusterNames });
  client.ack(cds);
  const eds = await client.next();
  assert.equal(eds.typeUrl, TYPE_URL.endpoint, 'then endpoints, before any listener');
  client.ack(eds, clusterNames);
  const lds = await client.next();
  assert.equal(lds.typeUrl, TYPE_URL.listener, 'then listeners');
  const routeNames = resources.routes.map((r) => String(r['name']));
  const secretNames = resources.secrets.map((r) => String(r['name']));
  client.request(TYPE_URL.route, { names: routeNames });
  if (secretNames.length > 0) client.request(TYPE_URL.secret, { names: secretNames });
  client.ack(lds);
  const rds = await client.next();
  assert.equal(rds.typeUrl, TYPE_URL.route, 'then routes');
  client.ack(rds, routeNames);
  const out: Record<string, Received> = { cds, eds, lds, rds };
  if (secretNames.length > 0) {
    const sds = await client.next();
    assert.equal(sds.typeUrl, TYPE_URL.secret, 'then secrets');
    client.ack(sds, secretNames);
    out['sds'] = sds;
  }
  return out;
}

test('initial sync sends CDS → EDS → LDS → RDS → SDS, each after the previous ACK, with exactly the rendered resources', async () => {
  const { client } = await start(everything);
  const got = await syncAll(client, everything);
  const expect = (url: string, list: readonly JsonObject[]) => list.map((r) => normalised(url, r));
  assert.deepEqual(got['cds']?.resources, expect(TYPE_URL.cluster, everything.clusters));
  assert.deepEqual(got['eds']?.resources, expect(TYPE_URL.endpoint, everything.endpoints));
  assert.deepEqual(got['lds']?.resources, expect(TYPE_URL.listener, everything.listeners));
  assert.deepEqual(got['rds']?.resources, expect(TYPE_URL.route, everything.routes));
  assert.deepEqual(got['sds']?.resources, expect(TYPE_URL.secret, everything.secrets));
  const nonces = Object.values(got).map((r) => r.nonce);
  assert.equal(new Set(nonces).size, nonces.length, 'every response has its own nonce');
});

test('an unchanged snapshot sends nothing; a route change sends only RDS, with a new RDS version', async () => {
  const s1 = stack({ listeners: [listener({ rules: [rule(1, [path('/a')], [forward('tg')])] })] });
  const r1 = renderStack(s1).resources;
  const { server, client, events } = await start(r1);
  const first = await syncAll(client, r1);
  const sentBefore = events.filter((e) => e.kind === 'sent').length;
  server.setResources(renderStack(s1).resources);
  const s2 = stack({ listeners: [listener({ rules: [rule(1, [path('/b')], [forward('tg')])] })] });
  server.setResources(renderStack(s2).resources);
  const rds = await client.next();
  assert.equal(rds.typeUrl, TYPE_URL.route);
  assert.notEqual(rds.versionInfo, first['rds']?.versionInfo);
  assert.match(JSON.stringify(rds.resources), /"path":"\/b"/);
  assert.equal(events.filter((e) => e.kind === 'sent').length, sentBefore + 1, 'only the route type was pushed');
  client.ack(rds, names(rds));
});

test('a NACK is recorded, the rejected version is not re-sent, and the next good snapshot is', async () => {
  const s1 = stack({ listeners: [listener({ rules: [rule(1, [path('/a')], [forward('tg')])] })] });
  const { server, client, events } = await start(renderStack(s1).resources);
  const first = await syncAll(client, renderStack(s1).resources);
  server.setResources(
    renderStack(stack({ listeners: [listener({ rules: [rule(1, [path('/b')], [forward('tg')])] })] })).resources,
  );
  const bad = await client.next();
  client.request(TYPE_URL.route, {
    names: names(bad),
    version: first['rds']?.versionInfo ?? '',
    nonce: bad.nonce,
    nack: 'route rejected',
  });
  server.setResources(
    renderStack(stack({ listeners: [listener({ rules: [rule(1, [path('/c')], [forward('tg')])] })] })).resources,
  );
  const good = await client.next();
  assert.equal(good.typeUrl, TYPE_URL.route);
  assert.match(JSON.stringify(good.resources), /"path":"\/c"/);
  const nacks = events.filter((e) => e.kind === 'nack');
  assert.deepEqual(
    nacks.map((e) => [e.typeUrl, e.version, e.kind === 'nack' ? e.message : '']),
    [[TYPE_URL.route, bad.versionInfo, 'route rejected']],
  );
  assert.equal(client.pending, 0);
});

test('a request with a stale nonce is ignored', async () => {
  const { server, client } = await start(renderStack(stack()).resources);
  const got = await syncAll(client, renderStack(stack()).resources);
  server.setResources(
    renderStack(stack({ listeners: [listener({ rules: [rule(7, [path('/x')], [forward('tg')])] })] })).resources,
  );
  const rds = await client.next();
  // An ACK of the previous RDS response (stale nonce) must not count as the ACK of this one.
  client.ack(got['rds'] as Received, names(rds));
  server.setResources(
    renderStack(stack({ listeners: [listener({ rules: [rule(8, [path('/y')], [forward('tg')])] })] })).resources,
  );
  client.ack(rds, names(rds));
  const next = await client.next();
  assert.equal(next.typeUrl, TYPE_URL.route);
  assert.match(JSON.stringify(next.resources), /rule-8/);
});

test('removing a target group is make-before-break: the old cluster stays until the new routes are ACKed', async () => {
  const two = stack({
    listeners: [listener({ rules: [rule(1, [path('/a')], [forward('old')])], defaultActions: [forward('tg')] })],
    targetGroups: [targetGroup('old', { name: 'p-old' }), targetGroup('tg', { name: 'p-tg' })],
  });
  const one = stack({
    listeners: [listener({ defaultActions: [forward('tg')] })],
    targetGroups: [targetGroup('tg', { name: 'p-tg' })],
  });
  const { server, client } = await start(renderStack(two).resources);
  await syncAll(client, renderStack(two).resources);
  server.setResources(renderStack(one).resources);
  const order: string[] = [];
  let routesWithoutOld = false;
  for (let i = 0; i < 3; i++) {
    const r = await client.next().catch((e: unknown) => {
      throw new Error(`after ${order.join(' ')}: ${String(e)}`);
    });
    const kind = r.typeUrl.split('.').pop() ?? '';
    order.push(`${kind}:${names(r, kind === 'ClusterLoadAssignment' ? 'cluster_name' : 'name').join(',')}`);
    if (kind === 'RouteConfiguration') routesWithoutOld = !JSON.stringify(r.resources).includes('p-old');
    client.ack(r, kind === 'RouteConfiguration' ? names(r) : kind === 'ClusterLoadAssignment' ? ['p-tg'] : []);
  }
  // The listener did not change, so it is not re-sent; the routes move off p-old first, then p-old goes.
  assert.deepEqual(order, [
    'RouteConfiguration:p-default-test-0123456789/80',
    'Cluster:p-tg',
    'ClusterLoadAssignment:p-tg',
  ]);
  assert.ok(routesWithoutOld);
});

test('versions are content hashes: a restarted server hands out the same versions for the same config', async () => {
  const a = await start(everything);
  const b = await start(everything);
  const va = await syncAll(a.client, everything);
  const vb = await syncAll(b.client, everything);
  for (const k of Object.keys(va)) assert.equal(va[k]?.versionInfo, vb[k]?.versionInfo);
});
