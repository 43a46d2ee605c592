/**
 * Describe-call latency of the AWS emulator on a large state: 100 ALBs × 100 rules (10,000 rules),
 * 100 target groups with 10 targets each. Issues 10,000 describe calls (a mix of DescribeRules,
 * DescribeLoadBalancers, DescribeListeners, DescribeTargetGroups, DescribeTargetHealth and
 * DescribeTags) over one keep-alive HTTP connection and reports the per-call latency seen by the
 * client. A second pass sends 1,000 of the same calls through the real AWS SDK v3 client, to show
 * what a controller sees end to end (SDK signing and XML parsing included).
 *
 *   node bench/emulator-aws/describe.ts [--calls 10000]
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startAwsEmulator } from '../../src/emulator/aws/index.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '10000' } } });
const CALLS = Number(values.calls);
const LBS = 100;
const RULES = 100;

const emulator = await startAwsEmulator({ port: 0, seed: 7, quotas: { loadBalancersPerRegion: LBS } });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL(emulator.url);

function call(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function action(name: string, params: Record<string, string | number>): Promise<string> {
  const body = new URLSearchParams({
    Action: name,
    Version: '2015-12-01',
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
  });
  const r = await call(body.toString());
  if (r.status !== 200) throw new Error(`${name} failed: ${r.text}`);
  return r.text;
}

const pick = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1] ?? '';

// ---- setup --------------------------------------------------------------------------------------
const setupStart = performance.now();
const subnetsXml = await call(
  new URLSearchParams({
    Action: 'DescribeSubnets',
    Version: '2016-11-15',
    'Filter.1.Name': 'tag:kubernetes.io/role/elb',
    'Filter.1.Value.1': '1',
  }).toString(),
);
const subnetIds = [...subnetsXml.text.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1] ?? '');
const vpcId = pick(subnetsXml.text, 'vpcId');
const lbs: Array<{ lb: string; listener: string; tg: string }> = [];
for (let i = 0; i < LBS; i++) {
  const lb = pick(
    await action('CreateLoadBalancer', {
      Name: `bench-${i}`,
      'Subnets.member.1': subnetIds[0] ?? '',
      'Subnets.member.2': subnetIds[1] ?? '',
    }),
    'LoadBalancerArn',
  );
  const tg = pick(
    await action('CreateTargetGroup', {
      Name: `bench-tg-${i}`,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: vpcId,
      TargetType: 'ip',
    }),
    'TargetGroupArn',
  );
  const targets: Record<string, string> = {};
  for (let t = 0; t < 10; t++) {
    // Loopback targets on closed ports: the health checker really probes them (refused at once), as it would probe any target.
    targets[`Targets.member.${t + 1}.Id`] = '127.0.0.1';
    targets[`Targets.member.${t + 1}.Port`] = String(40000 + i * 10 + t);
    targets[`Targets.member.${t + 1}.AvailabilityZone`] = 'all';
  }
  await action('RegisterTargets', { TargetGroupArn: tg, ...targets });
  await action('AddTags', {
    'ResourceArns.member.1': lb,
    'Tags.member.1.Key': 'portico.dev/stack',
    'Tags.member.1.Value': `s${i}`,
  });
  const listener = pick(
    await action('CreateListener', {
      LoadBalancerArn: lb,
      Protocol: 'HTTP',
      Port: 80,
      'DefaultActions.member.1.Type': 'fixed-response',
      'DefaultActions.member.1.FixedResponseConfig.StatusCode': '404',
    }),
    'ListenerArn',
  );
  for (let r = 1; r <= RULES; r++) {
    await action('CreateRule', {
      ListenerArn: listener,
      Priority: r,
      'Conditions.member.1.Field': 'host-header',
      'Conditions.member.1.HostHeaderConfig.Values.member.1': `h${r}.example.com`,
      'Conditions.member.2.Field': 'path-pattern',
      'Conditions.member.2.PathPatternConfig.Values.member.1': `/svc-${r}/*`,
      'Actions.member.1.Type': 'forward',
      'Actions.member.1.TargetGroupArn': tg,
    });
  }
  lbs.push({ lb, listener, tg });
}
const setupMs = performance.now() - setupStart;

// ---- the mix ------------------------------------------------------------------------------------
type Op = { name: string; params: (i: number) => Record<string, string> };
const at = (i: number) => lbs[i % LBS] ?? { lb: '', listener: '', tg: '' };
const ops: Op[] = [
  { name: 'DescribeRules', params: (i) => ({ ListenerArn: at(i).listener }) },
  { name: 'DescribeLoadBalancers', params: (i) => ({ 'LoadBalancerArns.member.1': at(i).lb }) },
  { name: 'DescribeListeners', params: (i) => ({ LoadBalancerArn: at(i).lb }) },
  { name: 'DescribeTargetGroups', params: (i) => ({ LoadBalancerArn: at(i).lb }) },
  { name: 'DescribeTargetHealth', params: (i) => ({ TargetGroupArn: at(i).tg }) },
  { name: 'DescribeTags', params: (i) => ({ 'ResourceArns.member.1': at(i).lb }) },
];

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return { n: s.length, median: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] ?? 0 };
}

const byOp = new Map<string, number[]>();
const all: number[] = [];
for (let i = 0; i < 200; i++) await action(ops[i % ops.length]?.name ?? '', ops[i % ops.length]?.params(i) ?? {}); // warm-up
for (let i = 0; i < CALLS; i++) {
  const op = ops[i % ops.length];
  if (op === undefined) continue;
  const body = new URLSearchParams({
    Action: op.name,
    Version: '2015-12-01',
    ...op.params(Math.floor(i / ops.length)),
  }).toString();
  const t0 = performance.now();
  const r = await call(body);
  const dt = performance.now() - t0;
  if (r.status !== 200) throw new Error(`${op.name} failed: ${r.text}`);
  all.push(dt);
  byOp.set(op.name, [...(byOp.get(op.name) ?? []), dt]);
}

// ---- the same mix through the real SDK ----------------------------------------------------------
const sdk = new ElasticLoadBalancingV2Client({
  endpoint: emulator.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
const sdkSamples: number[] = [];
const sdkRules: number[] = [];
const commands = [
  (i: number) => new DescribeRulesCommand({ ListenerArn: at(i).listener }),
  (i: number) => new DescribeLoadBalancersCommand({ LoadBalancerArns: [at(i).lb] }),
  (i: number) => new DescribeListenersCommand({ LoadBalancerArn: at(i).lb }),
  (i: number) => new DescribeTargetGroupsCommand({ LoadBalancerArn: at(i).lb }),
  (i: number) => new DescribeTargetHealthCommand({ TargetGroupArn: at(i).tg }),
  (i: number) => new DescribeTagsCommand({ ResourceArns: [at(i).lb] }),
];
for (let i = 0; i < 1000; i++) {
  const make = commands[i % commands.length];
  if (make === undefined) continue;
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one loop over six command types
  await sdk.send(make(Math.floor(i / commands.length)) as any);
  const dt = performance.now() - t0;
  if (i >= 60) {
    sdkSamples.push(dt);
    if (i % commands.length === 0) sdkRules.push(dt);
  }
}
sdk.destroy();

const fmt = (x: number) => x.toFixed(3);
const row = (name: string, s: ReturnType<typeof stats>) =>
  `| ${name} | ${s.n} | ${fmt(s.median)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} |`;
console.log(
  `state: ${LBS} ALBs × ${RULES} rules (${LBS * RULES} rules), ${LBS} target groups × 10 targets; setup ${(setupMs / 1000).toFixed(1)} s`,
);
console.log(`node ${process.version}, ${CALLS} calls over one keep-alive connection\n`);
console.log('| call (raw HTTP, client-side latency) | calls | median ms | p95 ms | p99 ms | max ms |');
console.log('|---|---|---|---|---|---|');
console.log(row('all describes', stats(all)));
for (const [name, samples] of byOp) console.log(row(name, stats(samples)));
console.log(row('all describes, through the AWS SDK v3', stats(sdkSamples)));
console.log(row('DescribeRules (101 rules), through the AWS SDK v3', stats(sdkRules)));
const median = stats(all).median;
console.log(`\nmedian ${fmt(median)} ms per call: ${median < 2 ? 'PASS' : 'FAIL'} (bar: < 2 ms)`);
await emulator.close();
agent.destroy();
