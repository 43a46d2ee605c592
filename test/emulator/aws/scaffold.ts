import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, Listener, LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsTarget } from './support.ts';
import { publicSubnets, uniqueName } from './support.ts';

/** Small builders for the resources most tests need, created through the SDK. */

export async function createLoadBalancer(target: AwsTarget, name = uniqueName('lb')): Promise<LoadBalancer> {
  const { subnetIds } = await publicSubnets(target);
  const out = await target.elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds }));
  const lb = out.LoadBalancers?.[0];
  if (lb === undefined) throw new Error('CreateLoadBalancer returned no load balancer');
  return lb;
}

export async function createTargetGroup(
  target: AwsTarget,
  settings: {
    name?: string;
    port?: number;
    targetType?: 'ip' | 'instance';
    healthCheckPath?: string;
    interval?: number;
    timeout?: number;
  } = {},
): Promise<TargetGroup> {
  const { vpcId } = await publicSubnets(target);
  const out = await target.elb.send(
    new CreateTargetGroupCommand({
      Name: settings.name ?? uniqueName('tg'),
      Protocol: 'HTTP',
      Port: settings.port ?? 80,
      VpcId: vpcId,
      TargetType: settings.targetType ?? 'ip',
      HealthCheckPath: settings.healthCheckPath,
      HealthCheckIntervalSeconds: settings.interval,
      HealthCheckTimeoutSeconds: settings.timeout,
      HealthyThresholdCount: settings.interval === undefined ? undefined : 2,
      UnhealthyThresholdCount: settings.interval === undefined ? undefined : 2,
    }),
  );
  const tg = out.TargetGroups?.[0];
  if (tg === undefined) throw new Error('CreateTargetGroup returned no target group');
  return tg;
}

export const notFound: Action = {
  Type: 'fixed-response',
  FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'nope' },
};

export async function createHttpListener(
  target: AwsTarget,
  lb: LoadBalancer,
  defaultActions: Action[] = [notFound],
  port = 80,
): Promise<Listener> {
  const out = await target.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: port,
      DefaultActions: defaultActions,
    }),
  );
  const listener = out.Listeners?.[0];
  if (listener === undefined) throw new Error('CreateListener returned no listener');
  return listener;
}
