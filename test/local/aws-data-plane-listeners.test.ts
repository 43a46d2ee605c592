import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startAwsEmulator } from '../../src/emulator/aws/index.ts';
import { ProxyRuntime } from '../../src/proxy/runtime.ts';
import { AwsDataPlane } from '../../src/local/aws-data-plane.ts';
import type { ServedLoadBalancer } from '../../src/local/aws-data-plane.ts';
import { LoopbackAddresses } from '../../src/local/addresses.ts';
import { silentLogger } from '../../src/log.ts';

describe('local AWS data plane: what counts as serving', () => {
  it('reports a load balancer only once it has a listener (no empty port lists in the progress output)', async () => {
    const emulator = await startAwsEmulator({ port: 0, seed: 11 });
    const runtime = new ProxyRuntime({ log: silentLogger() });
    const reports: Array<readonly ServedLoadBalancer[]> = [];
    const portOffset = 40_000 + (process.pid % 20_000);
    const plane = new AwsDataPlane({
      state: emulator.state,
      runtime,
      addresses: new LoopbackAddresses(),
      portOffset,
      instanceAddress: '127.0.0.1',
      log: silentLogger(),
      onServing: (s) => reports.push(s),
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
      const subnets = (
        await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:kubernetes.io/role/elb', Values: ['1'] }] }))
      ).Subnets;
      const lb = (
        await elb.send(
          new CreateLoadBalancerCommand({
            Name: 'dp-no-listener',
            Subnets: (subnets ?? []).slice(0, 2).map((s) => s.SubnetId ?? ''),
          }),
        )
      ).LoadBalancers?.[0];
      await plane.sync();
      assert.equal(plane.served.length, 0);

      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb?.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
        }),
      );
      await plane.sync();
      assert.deepEqual(
        plane.served.map((s) => [s.name, s.ports]),
        [['dp-no-listener', [80 + portOffset]]],
      );
      assert.ok(
        reports.every((r) => r.every((s) => s.ports.length > 0)),
        'no report names a load balancer without ports',
      );
    } finally {
      elb.destroy();
      ec2.destroy();
      await plane.stop();
      await runtime.stop();
      await emulator.close();
    }
  });
});
