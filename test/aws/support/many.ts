/** Many small groups for restart tests: one rule, one target group, one target each, the VPC's default security group. */
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../src/aws/clients.ts';
import type { Stack } from '../../../src/model/stack.ts';
import { forward, listener, loadBalancer, path, rule, stack, targetGroup } from '../../support/stack.ts';

export async function defaultSecurityGroup(clients: AwsClients): Promise<string> {
  const out = await clients.ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }),
  );
  return out.SecurityGroups?.[0]?.GroupId ?? '';
}

export function smallGroup(i: number, securityGroupId: string): Stack {
  const id = `ns${i}/app`;
  return stack({
    id,
    loadBalancer: loadBalancer({
      name: `p-ns${i}-app-0123456789`,
      securityGroups: { kind: 'list', ids: [securityGroupId], names: [] },
    }),
    listeners: [listener({ rules: [rule(1, [path('/api/*')], [forward('api')])] })],
    targetGroups: [
      targetGroup('api', {
        name: `p-ns${i}-api-0123456789`,
        targets: [{ id: `172.31.1.${(i % 250) + 1}`, port: 8080 }],
      }),
    ],
  });
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await fn(item);
      }
    }),
  );
}
