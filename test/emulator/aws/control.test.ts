import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeLoadBalancersCommand, DescribeSSLPoliciesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListCertificatesCommand } from '@aws-sdk/client-acm';
import type { AwsTarget } from './support.ts';
import { emulatorOnly, rejection, startTarget } from './support.ts';
import { createLoadBalancer } from './scaffold.ts';

/** The /_portico/ control API, exercised over HTTP and through the SDK's retry behaviour. */
describe('AWS emulator: control endpoints, faults and profiles', () => {
  let target: AwsTarget;
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${target.endpoint}/_portico/${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  before(async () => {
    target = await startTarget();
  });
  after(() => target.close());
  beforeEach(async () => {
    if (target.emulator !== undefined) await control('POST', 'reset');
  });

  it('counts calls per operation and resets state', async (t) => {
    if (!emulatorOnly(t, target)) return;
    await createLoadBalancer(target);
    await target.elb.send(new DescribeLoadBalancersCommand({}));
    await target.elb.send(new DescribeLoadBalancersCommand({}));
    const { json } = await control('GET', 'calls');
    const ops = json['byOperation'] as Record<string, { calls: number; errors: number }>;
    assert.equal(ops['DescribeLoadBalancers']?.calls, 2);
    assert.equal(ops['CreateLoadBalancer']?.calls, 1);
    assert.equal(ops['DescribeSubnets']?.calls, 1);
    assert.equal(json['total'], 4);
    assert.equal((json['calls'] as unknown[]).length, 4);
    await control('POST', 'reset');
    const after = await target.elb.send(new DescribeLoadBalancersCommand({}));
    assert.deepEqual(after.LoadBalancers, []);
    assert.equal((await control('GET', 'calls')).json['total'], 1);
  });

  it('the SDK retries injected Throttling and succeeds on the third attempt', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const set = await control('POST', 'faults', {
      operation: 'DescribeLoadBalancers',
      failNext: { count: 2, code: 'Throttling', message: 'Rate exceeded' },
    });
    assert.equal(set.status, 200);
    const out = await target.elb.send(new DescribeLoadBalancersCommand({}));
    assert.equal(out.$metadata.attempts, 3);
    const counters = (await control('GET', 'calls')).json['byOperation'] as Record<
      string,
      { calls: number; errors: number; throttled: number }
    >;
    assert.deepEqual(counters['DescribeLoadBalancers'], { calls: 3, errors: 2, throttled: 2 });
  });

  it('a throttled fraction of 1 exhausts the SDK retries with Throttling / Rate exceeded', async (t) => {
    if (!emulatorOnly(t, target)) return;
    target.emulator.control.setFault({ operation: '*', throttleRate: 1 });
    const e = await rejection(target.elb.send(new DescribeSSLPoliciesCommand({})));
    assert.equal(e.name, 'Throttling');
    assert.equal(e.message, 'Rate exceeded');
    assert.equal(e.$metadata?.attempts, 3);
    const acm = await rejection(target.acm.send(new ListCertificatesCommand({})));
    assert.equal(acm.name, 'ThrottlingException');
  });

  it('a non-retryable injected error surfaces at once; latency is added; dropped connections are retried', async (t) => {
    if (!emulatorOnly(t, target)) return;
    target.emulator.control.setFault({
      operation: 'DescribeLoadBalancers',
      failNext: { count: 1, code: 'LoadBalancerNotFound', message: 'gone' },
    });
    const e = await rejection(target.elb.send(new DescribeLoadBalancersCommand({})));
    assert.equal(e.name, 'LoadBalancerNotFoundException');
    assert.equal(e.$metadata?.attempts, 1);
    target.emulator.control.setFault({ operation: 'DescribeLoadBalancers', latencyMs: 60 });
    const started = performance.now();
    await target.elb.send(new DescribeLoadBalancersCommand({}));
    assert.ok(performance.now() - started >= 55);
    target.emulator.control.setFault({ operation: 'DescribeLoadBalancers', dropNext: 1 });
    const retried = await target.elb.send(new DescribeLoadBalancersCommand({}));
    assert.equal(retried.$metadata.attempts, 2);
  });

  it('rejects bad fault rules and unknown profiles with a 400 naming the field', async (t) => {
    if (!emulatorOnly(t, target)) return;
    assert.deepEqual(await control('POST', 'faults', { operation: 'X', throttleRate: 2 }), {
      status: 400,
      json: { error: 'faults[0].throttleRate must be a number from 0 to 1' },
    });
    assert.equal((await control('POST', 'profile', { name: 'nope' })).status, 400);
    assert.equal((await control('GET', 'nothing-here')).status, 404);
  });

  it('the aws-like profile adds latency and rate-limits bursts of one operation', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const set = await control('POST', 'profile', { name: 'aws-like' });
    assert.equal(set.json['name'], 'aws-like');
    const raw = () =>
      fetch(target.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=DescribeSSLPolicies&Version=2015-12-01&Names.member.1=ELBSecurityPolicy-2016-08',
      });
    const statuses = await Promise.all(Array.from({ length: 60 }, () => raw().then((r) => r.status)));
    const throttled = statuses.filter((s) => s === 400).length;
    assert.ok(throttled >= 15, `expected the 40-token bucket to throttle a burst of 60, got ${throttled}`);
    const calls = (await control('GET', 'calls?limit=100')).json['calls'] as Array<{
      injected?: string;
      durationMs: number;
    }>;
    assert.ok(calls.some((c) => c.injected === 'rate-limit'));
    assert.ok(
      calls.every((c) => c.durationMs >= 35),
      'every call carries the profile latency',
    );
  });
});
