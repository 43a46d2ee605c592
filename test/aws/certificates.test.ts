/**
 * TLS Secrets imported into ACM (owned, re-imported in place when the Secret changes, deleted when no
 * listener uses them), ACM discovery, and subnet choice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { AwsCaller, createAwsMetrics } from '../../src/aws/calls.ts';
import { CertificateCatalogReader } from '../../src/aws/certificates.ts';
import { chooseSubnets } from '../../src/aws/network.ts';
import type { TlsSecretData } from '../../src/aws/plan-fingerprint.ts';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import type { Stack } from '../../src/model/stack.ts';
import { fixed, listener } from '../support/stack.ts';
import { controller, emulator } from './support/harness.ts';
import { pathGroup } from './support/groups.ts';

function selfSigned(cn: string): TlsSecretData {
  const pem = execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '3',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=DNS:${cn}`,
      '-keyout',
      '-',
      '-out',
      '-',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/.exec(pem)?.[0] ?? '';
  const privateKey = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n?/.exec(pem)?.[0] ?? '';
  return { certificate, privateKey };
}

function withTls(g: Stack): Stack {
  return {
    ...g,
    listeners: [
      ...g.listeners,
      listener({
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: 'ELBSecurityPolicy-2016-08',
        certificates: [{ kind: 'secret', namespace: 'default', name: 'shop-tls' }],
        defaultActions: [fixed('404')],
      }),
    ],
  };
}

describe('certificates: TLS Secrets imported into ACM', () => {
  let aws: AwsEmulator;
  before(async () => {
    aws = await emulator();
  });
  after(async () => {
    await aws.close();
  });

  it('imports, re-imports in place when the Secret changes, deletes when unused; discovery marks it as Portico’s', async () => {
    const registry = new Registry();
    const c = controller(aws, { metrics: createAwsMetrics(registry) });
    const g = withTls(pathGroup('tls', 2, 1));
    const first = selfSigned('shop.example.com');
    await c.reconcile(g.id, g, new Map([['default/shop-tls', first]]));
    const [cert] = aws.state.certificates();
    assert.ok(cert !== undefined);
    assert.equal(cert.domainName, 'shop.example.com');
    const https = aws.state.loadBalancers()[0]?.listeners.find((l) => l.port === 443);
    assert.deepEqual(https?.certificateArns, [cert.arn]);

    const index = await c.provider.readIndex();
    const owned = new Set([...index.stacks.values()].flatMap((s) => s.certificates.map((x) => x.arn)));
    const catalog = await new CertificateCatalogReader(c.caller, c.clients).read(owned);
    assert.deepEqual(
      catalog.certificates.map((x) => [x.domainName, x.managedByPortico]),
      [['shop.example.com', true]],
    );

    const second = selfSigned('shop.example.com');
    await c.reconcile(g.id, g, new Map([['default/shop-tls', second]]));
    const after = aws.state.certificates();
    assert.equal(after.length, 1);
    assert.equal(after[0]?.arn, cert.arn, 're-imported in place');
    assert.equal(after[0]?.certificatePem.trim(), second.certificate.trim());

    const plain = pathGroup('tls', 2, 1);
    await c.reconcile(plain.id, plain);
    assert.deepEqual(aws.state.certificates(), []);

    const metrics = await registry.getSingleMetricAsString('portico_aws_calls_total');
    assert.match(metrics, /operation="ImportCertificate",outcome="ok"} 2/);
    assert.match(metrics, /operation="DeleteCertificate",outcome="ok"} 1/);
    c.close();
  });
});

describe('subnet discovery: one per AZ, this cluster first, never another cluster’s', () => {
  const subnet = (id: string, az: string, tags: Record<string, string>) => ({
    SubnetId: id,
    AvailabilityZone: az,
    VpcId: 'vpc-1',
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });
  const role = 'kubernetes.io/role/elb';
  it('picks the lowest ID per AZ, prefers subnets tagged for this cluster, skips other clusters’ subnets', () => {
    const chosen = chooseSubnets(
      [
        subnet('subnet-b2', 'us-east-1b', { [role]: '1' }),
        subnet('subnet-b1', 'us-east-1b', { [role]: '' }),
        subnet('subnet-a9', 'us-east-1a', { [role]: '1', 'kubernetes.io/cluster/mine': 'shared' }),
        subnet('subnet-a1', 'us-east-1a', { [role]: '1' }),
        subnet('subnet-c1', 'us-east-1c', { [role]: '1', 'kubernetes.io/cluster/theirs': 'owned' }),
        subnet('subnet-d1', 'us-east-1d', { [role]: '0' }),
      ],
      role,
      'mine',
    );
    assert.deepEqual(chosen.map((s) => s.SubnetId).sort(), ['subnet-a9', 'subnet-b1']);
  });
});

describe('AwsCaller: client-side rate limits', () => {
  it('spaces calls by the token bucket of their operation class, on the injected clock', async () => {
    let now = 0;
    const waits: number[] = [];
    const caller = new AwsCaller({
      rateLimits: [{ pattern: /.*/, perSecond: 10, burst: 2 }],
      clock: {
        now: () => now,
        sleep: async (ms) => {
          waits.push(ms);
          now += ms;
        },
      },
    });
    for (let i = 0; i < 4; i++) await caller.call('CreateRule', () => Promise.resolve({}));
    assert.deepEqual(waits, [100, 100]);
    assert.equal(caller.counts().get('CreateRule'), 4);
  });
});
