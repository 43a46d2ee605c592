import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  waitUntilTargetDeregistered,
  waitUntilTargetInService,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetHealth } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsTarget } from './support.ts';
import { emulatorOnly, startTarget } from './support.ts';
import { createHttpListener, createLoadBalancer, createTargetGroup } from './scaffold.ts';

/** A backend answering health checks with a fixed status (or never answering). */
async function backend(
  behaviour: number | 'hang',
): Promise<{ port: number; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    if (behaviour === 'hang') return;
    res.writeHead(behaviour, { 'content-type': 'text/plain' }).end(req.url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const fast = { maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 };

describe('AWS emulator: real HTTP health checks', () => {
  let target: AwsTarget;
  const servers: Array<{ close: () => Promise<void> }> = [];
  before(async () => {
    // 5 s intervals and 4 s timeouts run at 100 ms / 80 ms.
    target = await startTarget({ timeScale: 0.02 });
  });
  after(async () => {
    await target.close();
    for (const s of servers) await s.close();
  });

  /** A group with `port`'s server registered and attached to an ALB listener, so it is checked. */
  async function usedGroup(port: number, healthCheckPath?: string) {
    const tg = await createTargetGroup(target, { interval: 5, timeout: 4, healthCheckPath, port });
    await target.elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [{ Id: '127.0.0.1', Port: port, AvailabilityZone: 'all' }],
      }),
    );
    const lb = await createLoadBalancer(target);
    await createHttpListener(target, lb, [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }]);
    return tg.TargetGroupArn ?? '';
  }

  async function healthOf(arn: string): Promise<TargetHealth | undefined> {
    const out = await target.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    return out.TargetHealthDescriptions?.[0]?.TargetHealth;
  }

  async function until(arn: string, state: string): Promise<TargetHealth | undefined> {
    for (let i = 0; i < 200; i++) {
      const h = await healthOf(arn);
      if (h?.State === state) return h;
      await new Promise((r) => setTimeout(r, 25));
    }
    return healthOf(arn);
  }

  it('a target answering 200 goes initial → healthy, and the TargetInService waiter returns', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const ok = await backend(200);
    servers.push(ok);
    const arn = await usedGroup(ok.port, '/healthz');
    const result = await waitUntilTargetInService(
      { client: target.elb, ...fast },
      { TargetGroupArn: arn, Targets: [{ Id: '127.0.0.1', Port: ok.port }] },
    );
    assert.equal(result.state, 'SUCCESS');
    assert.deepEqual(await healthOf(arn), { State: 'healthy' });
    assert.ok(ok.hits() >= 1, 'the health check really reached the backend');
  });

  it('a target answering 404 becomes unhealthy with Target.ResponseCodeMismatch', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const notFound = await backend(404);
    servers.push(notFound);
    const arn = await usedGroup(notFound.port);
    const h = await until(arn, 'unhealthy');
    assert.deepEqual(h, {
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
      Description: 'Health checks failed with these codes: [404]',
    });
  });

  it('a target that never answers times out; a closed port fails', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const hang = await backend('hang');
    servers.push(hang);
    const timedOut = await until(await usedGroup(hang.port), 'unhealthy');
    assert.equal(timedOut?.Reason, 'Target.Timeout');
    const closed = await backend(200);
    const port = closed.port;
    await closed.close();
    const refused = await until(await usedGroup(port), 'unhealthy');
    assert.equal(refused?.Reason, 'Target.FailedHealthChecks');
  });

  it('deregistration drains for the deregistration delay, then the TargetDeregistered waiter returns', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const ok = await backend(200);
    servers.push(ok);
    const arn = await usedGroup(ok.port);
    await until(arn, 'healthy');
    // 10 s of deregistration delay is 200 ms at this time scale.
    await target.elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }],
      }),
    );
    await target.elb.send(
      new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '127.0.0.1', Port: ok.port }] }),
    );
    assert.deepEqual(await healthOf(arn), {
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    });
    const done = await waitUntilTargetDeregistered(
      { client: target.elb, ...fast },
      { TargetGroupArn: arn, Targets: [{ Id: '127.0.0.1', Port: ok.port }] },
    );
    assert.equal(done.state, 'SUCCESS');
    const after = await target.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    assert.deepEqual(after.TargetHealthDescriptions, []);
  });

  it('a group only a rule references is checked too; unreferencing it makes it unused again', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const ok = await backend(200);
    servers.push(ok);
    const tg = await createTargetGroup(target, { interval: 5, timeout: 4, port: ok.port });
    await target.elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [{ Id: '127.0.0.1', Port: ok.port, AvailabilityZone: 'all' }],
      }),
    );
    const arn = tg.TargetGroupArn ?? '';
    assert.equal((await healthOf(arn))?.State, 'unused');
    const lb = await createLoadBalancer(target);
    const listener = await createHttpListener(target, lb);
    const rule = await target.elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/r'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: arn }],
      }),
    );
    assert.equal((await until(arn, 'healthy'))?.State, 'healthy');
    await target.elb.send(new DeleteRuleCommand({ RuleArn: rule.Rules?.[0]?.RuleArn }));
    assert.equal((await healthOf(arn))?.State, 'unused');
  });
});
