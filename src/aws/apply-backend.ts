import {
  AuthorizeSecurityGroupIngressCommand,
  DeleteSecurityGroupCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import type { ApplyContext } from './apply-context.ts';
import { retryDependency, tolerate } from './apply-context.ts';
import { isAwsCallError } from './errors.ts';
import { backendRuleDescription, backendRuleKey } from './plan-backend.ts';
import type { Operation } from './plan-operations.ts';
import { isOwned, parseResourceId, resourceId, TAG_CLUSTER, TAG_RESOURCE } from './tags.ts';
import { createOrAdoptSecurityGroup } from './apply-ec2-acm.ts';

/**
 * Backend security-group operations (see `plan-backend.ts`). Rules go on target security groups that
 * are usually not Portico's: only rules whose source is the backend group and whose description is
 * Portico's are ever added or revoked there, and nothing else of those groups is touched.
 */
export async function applyBackendOperation(ctx: ApplyContext, op: Operation): Promise<boolean> {
  const { caller, clients, registry: reg } = ctx;
  switch (op.op) {
    case 'createBackendSecurityGroup': {
      const vpcId = await ctx.vpcId();
      const tags = { [TAG_CLUSTER]: ctx.clusterName, [TAG_RESOURCE]: resourceId.backendSecurityGroup() };
      // Adopted after a crash only if it is this cluster's backend group.
      reg.backendSecurityGroupId = await createOrAdoptSecurityGroup(
        ctx,
        op,
        vpcId,
        tags,
        (found) =>
          isOwned(found, ctx.clusterName) && parseResourceId(found[TAG_RESOURCE]).kind === 'backend-security-group',
      );
      reg.own(reg.backendSecurityGroupId);
      ctx.backendClaims?.groupChanged(reg.backendSecurityGroupId);
      return true;
    }
    case 'authorizeBackendRules': {
      const source = reg.securityGroup('AuthorizeSecurityGroupIngress', op.source);
      const authorize = (ports: readonly number[]) =>
        caller.call('AuthorizeSecurityGroupIngress', () =>
          clients.ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: op.groupId,
              IpPermissions: ports.map((p) => permission(p, source, backendRuleDescription(ctx.clusterName))),
            }),
          ),
        );
      try {
        await authorize(op.ports);
      } catch (e: unknown) {
        // One of them exists already (a crash after it was added): EC2 refuses the whole call, so add them one by one.
        if (!isAwsCallError(e) || e.awsCode !== 'InvalidPermission.Duplicate' || op.ports.length === 1) {
          if (isAwsCallError(e) && e.awsCode === 'InvalidPermission.Duplicate') return true;
          throw e;
        }
        for (const port of op.ports) await tolerate(['InvalidPermission.Duplicate'], () => authorize([port]));
      }
      return true;
    }
    case 'revokeBackendRules': {
      const ports = op.ports.filter((p) => ctx.backendClaims?.ruleClaimed(backendRuleKey(op.groupId, p)) !== true);
      if (ports.length === 0) return true;
      await tolerate(['InvalidPermission.NotFound'], () =>
        caller.call('RevokeSecurityGroupIngress', () =>
          clients.ec2.send(
            new RevokeSecurityGroupIngressCommand({
              GroupId: op.groupId,
              IpPermissions: ports.map((p) => permission(p, op.sourceGroupId)),
            }),
          ),
        ),
      );
      return true;
    }
    case 'deleteBackendSecurityGroup': {
      reg.assertOwned('DeleteSecurityGroup', op.groupId);
      if (ctx.backendClaims?.groupClaimed() === true) return true;
      try {
        await retryDependency(ctx, () =>
          tolerate(['InvalidGroup.NotFound'], () =>
            caller.call('DeleteSecurityGroup', () =>
              clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: op.groupId })),
            ),
          ),
        );
      } catch (e: unknown) {
        // Still referenced after the retries: by a rule someone else wrote (Portico revoked its own). The group
        // belongs to the cluster, not to this stack, so it stays for the next last user to collect, rather than
        // holding this stack's deletion hostage.
        if (isAwsCallError(e) && e.awsCode === 'DependencyViolation') return true;
        throw e;
      }
      ctx.backendClaims?.groupChanged(undefined);
      return true;
    }
    default:
      return false;
  }
}

function permission(port: number, sourceGroupId: string, description?: string): IpPermission {
  return {
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: port,
    UserIdGroupPairs: [{ GroupId: sourceGroupId, ...(description !== undefined ? { Description: description } : {}) }],
  };
}
