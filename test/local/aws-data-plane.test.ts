import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startAwsEmulator } from '../../src/emulator/aws/index.ts';
import { ProxyRuntime } from '../../src/proxy/runtime.ts';
import { AwsDataPlane } from '../../src/local/aws-data-plane.ts';
import type { ServedLoadBalancer } from '../../src/local/aws-data-plane.ts';
import { LoopbackAddresses } from '../../src/local/addresses.ts';
import { startEchoServer } from '../../src/local/echo-server.ts';
import { silentLogger } from '../../src/log.ts';

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('local AWS data plane', () => {
  it('serves an emulated ALB created through the SDK on its own loopback address, and follows changes', async () => {
    const emulator = await startAwsEmulator({ port: 0, seed: 7 });
    const echo = await startEchoServer('web');
    const runtime = new ProxyRuntime({ log: silentLogger() });
    let served: readonly ServedLoadBalancer[] = [];
    // Port offset chosen so the listener lands on a high, likely-free port of the LB's own address.
    const plane = new AwsDataPlane({
      state: emulator.state,
      runtime,
      addresses: new LoopbackAddresses(),
      portOffset: 30_000 + (process.pid % 20_000),
      instanceAddress: '127.0.0.1',
      log: silentLogger(),
      onServing: (s) => (served = s),
    });
    const config = {
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    };
    const elb = new ElasticLoadBalancingV2Client(config);
    const ec2 = new EC2Client(config);
    try {
      await plane.start();
      const subnets =
        (
          await ec2.send(
            new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:kubernetes.io/role/elb', Values: ['1'] }] }),
          )
        ).Subnets ?? [];
      const lb = (
        await elb.send(
          new CreateLoadBalancerCommand({ Name: 'dp-test', Subnets: subnets.slice(0, 2).map((s) => s.SubnetId ?? '') }),
        )
      ).LoadBalancers?.[0];
      const vpcId = subnets[0]?.VpcId;
      const tg = (
        await elb.send(
          new CreateTargetGroupCommand({
            Name: 'dp-web',
            Protocol: 'HTTP',
            Port: echo.port,
            TargetType: 'ip',
            VpcId: vpcId,
          }),
        )
      ).TargetGroups?.[0];
      await elb.send(
        new RegisterTargetsCommand({
          TargetGroupArn: tg?.TargetGroupArn,
          Targets: [{ Id: '127.0.0.1', Port: echo.port, AvailabilityZone: 'all' }],
        }),
      );
      const listener = (
        await elb.send(
          new CreateListenerCommand({
            LoadBalancerArn: lb?.LoadBalancerArn,
            Protocol: 'HTTP',
            Port: 80,
            DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }],
          }),
        )
      ).Listeners?.[0];

      const entry = await until('the load balancer to be served', () => served.find((s) => s.name === 'dp-test'));
      assert.match(entry.address, /^127\.0\.1\.\d+$/);
      assert.equal(entry.dnsName, lb?.DNSName);
      const url = `http://${entry.address}:${entry.ports[0]}`;
      const body = await until('traffic to reach the target', async () => {
        const res = await fetch(`${url}/anything`);
        return res.status === 200 ? ((await res.json()) as { backend: string; url: string }) : undefined;
      });
      assert.deepEqual([body.backend, body.url], ['web', '/anything']);

      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener?.ListenerArn,
          Priority: 1,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/teapot'] } }],
          Actions: [
            { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418', MessageBody: 'short and stout' } },
          ],
        }),
      );
      const teapot = await until('the new rule to take effect', async () => {
        const res = await fetch(`${url}/teapot`);
        return res.status === 418 ? res : undefined;
      });
      assert.equal(await teapot.text(), 'short and stout');
      assert.equal(teapot.headers.get('server'), 'awselb/2.0');

      await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
      await until('the load balancer to stop being served', () => (served.length === 0 ? true : undefined));
      await assert.rejects(fetch(`${url}/anything`));
    } finally {
      elb.destroy();
      ec2.destroy();
      await plane.stop();
      await runtime.stop();
      await echo.close();
      await emulator.close();
    }
  });
});
