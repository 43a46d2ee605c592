import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, request, tally } from './support/client.ts';
import type { Target } from './support/client.ts';
import { PROVIDERS, startE2e } from './support/harness.ts';
import type { E2e, ProviderName } from './support/harness.ts';
import { ingress, service, yamlDocs } from './support/manifests.ts';

/**
 * Load balancing reaching every endpoint (ip targets, and instance targets through the kube-proxy
 * stand-in's NodePort), and weighted forward actions, through `portico local` for both providers.
 */

/** A NodePort of its own per process and provider, so parallel test files do not collide. */
const nodePortFor = (provider: ProviderName) => 30_100 + (process.pid % 1200) * 2 + (provider === 'envoy' ? 1 : 0);

const weighted = (weights: Readonly<Record<string, number>>) =>
  JSON.stringify({
    type: 'forward',
    forwardConfig: {
      targetGroups: Object.entries(weights).map(([serviceName, weight]) => ({
        serviceName,
        servicePort: 'http',
        weight,
      })),
    },
  });

for (const provider of PROVIDERS) {
  describe(`backends through portico local (${provider})`, { timeout: 120_000 }, () => {
    let e2e: E2e;
    let t: Target;

    const splitIngress = (weights: Readonly<Record<string, number>>) =>
      ingress({
        name: 'split',
        annotations: { 'alb.ingress.kubernetes.io/actions.split': weighted(weights) },
        rules: [{ host: 'split.e2e.test', paths: [['/', 'Prefix', 'split', 'use-annotation']] }],
      });

    before(async () => {
      e2e = await startE2e(provider, 'e2e-backends');
      const names = ['pool-1', 'pool-2', 'pool-3', 'node-1', 'node-2', 'node-3', 'blue', 'green', 'gray'];
      const echoes = await Promise.all(names.map((n) => e2e.echo(n)));
      const at = (prefix: string) => echoes.filter((e) => e.name.startsWith(prefix));
      const one = (name: string) => echoes.filter((e) => e.name === name);
      await e2e.apply(
        yamlDocs([
          ...service('pool', at('pool-')),
          ...service('nodes', at('node-'), { nodePort: nodePortFor(provider) }),
          ...service('blue', one('blue')),
          ...service('green', one('green')),
          ...service('gray', one('gray')),
          ingress({
            name: 'balance',
            rules: [{ host: 'lb.e2e.test', paths: [['/ip', 'Prefix', 'pool', 'http']] }],
          }),
          // The NodePort Service is registered as the node (instance target); kube-proxy's stand-in spreads further.
          ingress({
            name: 'balance-instance',
            annotations: { 'alb.ingress.kubernetes.io/target-type': 'instance' },
            rules: [{ host: 'node.e2e.test', paths: [['/', 'Prefix', 'nodes', 'http']] }],
          }),
          splitIngress({ blue: 1, green: 1, gray: 0 }),
        ]),
      );
      const { ip } = await e2e.address('split');
      t = { ip, port: e2e.port(80) };
      await eventually(
        'the split route',
        () => request(t, { host: 'split.e2e.test' }),
        (r) => r.status === 200,
      );
    });
    after(() => e2e?.close());

    it('spreads requests over every endpoint of a Service (ip targets)', async () => {
      const { ip } = await e2e.address('balance');
      const lb = { ip, port: e2e.port(80) };
      await eventually(
        'balance serving',
        () => request(lb, { host: 'lb.e2e.test', path: '/ip' }),
        (r) => r.backend !== undefined,
      );
      const seen = await tally(lb, { host: 'lb.e2e.test', path: '/ip' }, 30);
      assert.deepEqual([...seen.keys()].sort(), ['pool-1', 'pool-2', 'pool-3']);
    });

    it('reaches every endpoint behind a NodePort (instance targets via the kube-proxy stand-in)', async () => {
      const { ip } = await e2e.address('balance-instance');
      const lb = { ip, port: e2e.port(80) };
      await eventually(
        'node route',
        () => request(lb, { host: 'node.e2e.test' }),
        (r) => r.backend !== undefined,
      );
      // kube-proxy balances connections, not requests, and the load balancer keeps its connection to the
      // node alive: one request at a time stays on one endpoint, as on EKS. Concurrent requests need
      // several connections, which the stand-in spreads round robin.
      const seen = new Set<string | undefined>();
      for (let round = 0; round < 3; round++) {
        const replies = await Promise.all(Array.from({ length: 10 }, () => request(lb, { host: 'node.e2e.test' })));
        for (const r of replies) seen.add(r.backend);
      }
      assert.deepEqual([...seen].sort(), ['node-1', 'node-2', 'node-3']);
    });

    it('splits a weighted forward over its target groups and never picks a weight-0 group', async () => {
      const seen = await tally(t, { host: 'split.e2e.test' }, 60);
      // With equal weights, missing one side in 60 tries has probability 2^-59.
      assert.deepEqual([...seen.keys()].sort(), ['blue', 'green']);
    });

    it('follows a weight change applied with kubectl', async () => {
      await e2e.apply(yamlDocs([splitIngress({ blue: 0, green: 0, gray: 1 })]));
      await eventually(
        'the new weights',
        () => request(t, { host: 'split.e2e.test' }),
        (r) => r.backend === 'gray',
      );
      const seen = await tally(t, { host: 'split.e2e.test' }, 20);
      assert.deepEqual([...seen.entries()], [['gray', 20]]);
    });
  });
}
