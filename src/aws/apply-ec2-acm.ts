import { AddTagsToCertificateCommand, DeleteCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import type { ApplyContext } from './apply-context.ts';
import { retryDependency, tolerate } from './apply-context.ts';
import { ApplyError, ForeignResourceError, isAwsCallError } from './errors.ts';
import type { Operation, Permission } from './plan-operations.ts';
import { fromAwsTags, isOwned, ownershipTags, resourceId, TAG_CONFIG_HASH, TAG_STACK, toAwsTags } from './tags.ts';

/** Certificate and security-group operations (ACM, EC2). Returns false for operations it does not handle. */
export async function applyEc2AcmOperation(ctx: ApplyContext, op: Operation): Promise<boolean> {
  const { caller, clients, registry: reg } = ctx;
  switch (op.op) {
    case 'importCertificate': {
      const data = ctx.secrets.get(op.secret);
      if (data === undefined) {
        throw new ApplyError('ImportCertificate', `TLS Secret ${op.secret} was not provided`, false);
      }
      const pem = {
        Certificate: Buffer.from(data.certificate),
        PrivateKey: Buffer.from(data.privateKey),
        ...(data.chain !== undefined && data.chain !== '' ? { CertificateChain: Buffer.from(data.chain) } : {}),
      };
      if (op.reimportArn !== undefined) {
        const arn = op.reimportArn;
        reg.assertOwned('ImportCertificate', arn);
        await caller.call('ImportCertificate', () =>
          clients.acm.send(new ImportCertificateCommand({ ...pem, CertificateArn: arn })),
        );
        // Re-imports cannot carry tags; the hash follows once the new data is in.
        await caller.call('AddTagsToCertificate', () =>
          clients.acm.send(
            new AddTagsToCertificateCommand({
              CertificateArn: arn,
              Tags: [{ Key: TAG_CONFIG_HASH, Value: op.configHash }],
            }),
          ),
        );
        return true;
      }
      const tags = {
        ...ownershipTags(ctx.clusterName, ctx.stackId, resourceId.certificate(op.secret)),
        [TAG_CONFIG_HASH]: op.configHash,
      };
      const out = await caller.call('ImportCertificate', () =>
        clients.acm.send(new ImportCertificateCommand({ ...pem, Tags: toAwsTags(tags) })),
      );
      const arn = out.CertificateArn ?? '';
      reg.own(arn);
      reg.certificates.set(op.secret, arn);
      return true;
    }
    case 'deleteCertificate': {
      reg.assertOwned('DeleteCertificate', op.arn);
      await retryDependency(ctx, () =>
        tolerate(['ResourceNotFoundException'], () =>
          caller.call('DeleteCertificate', () =>
            clients.acm.send(new DeleteCertificateCommand({ CertificateArn: op.arn })),
          ),
        ),
      );
      return true;
    }
    case 'createSecurityGroup': {
      const vpcId = await ctx.vpcId();
      const tags = ownershipTags(ctx.clusterName, ctx.stackId, resourceId.securityGroup());
      // Adopted after a crash only if it is this stack's.
      reg.managedSecurityGroupId = await createOrAdoptSecurityGroup(
        ctx,
        op,
        vpcId,
        tags,
        (found) => isOwned(found, ctx.clusterName) && found[TAG_STACK] === ctx.stackId,
      );
      reg.own(reg.managedSecurityGroupId);
      return true;
    }
    case 'authorizeIngress': {
      const groupId = reg.securityGroup('AuthorizeSecurityGroupIngress', op.group);
      reg.assertOwned('AuthorizeSecurityGroupIngress', groupId);
      await tolerate(['InvalidPermission.Duplicate'], () =>
        caller.call('AuthorizeSecurityGroupIngress', () =>
          clients.ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: groupId,
              IpPermissions: ipPermissions(op.permissions),
            }),
          ),
        ),
      );
      return true;
    }
    case 'revokeIngress': {
      reg.assertOwned('RevokeSecurityGroupIngress', op.groupId);
      await tolerate(['InvalidPermission.NotFound'], () =>
        caller.call('RevokeSecurityGroupIngress', () =>
          clients.ec2.send(
            new RevokeSecurityGroupIngressCommand({
              GroupId: op.groupId,
              IpPermissions: ipPermissions(op.permissions),
            }),
          ),
        ),
      );
      return true;
    }
    case 'deleteSecurityGroup': {
      reg.assertOwned('DeleteSecurityGroup', op.groupId);
      await retryDependency(ctx, () =>
        tolerate(['InvalidGroup.NotFound'], () =>
          caller.call('DeleteSecurityGroup', () =>
            clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: op.groupId })),
          ),
        ),
      );
      return true;
    }
    default:
      return false;
  }
}

function ipPermissions(permissions: readonly Permission[]): IpPermission[] {
  const byPort = new Map<number, Permission[]>();
  for (const p of permissions) byPort.set(p.port, [...(byPort.get(p.port) ?? []), p]);
  return [...byPort.entries()].map(([port, ps]) => ({
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: port,
    IpRanges: ps.filter((p) => !p.cidr.includes(':')).map((p) => ({ CidrIp: p.cidr })),
    Ipv6Ranges: ps.filter((p) => p.cidr.includes(':')).map((p) => ({ CidrIpv6: p.cidr })),
  }));
}

/**
 * Creates a tagged security group. When the name is taken in the VPC (a crash after an earlier
 * create) the existing group is adopted if `isOurs` accepts its tags; otherwise it is someone
 * else's and the operation fails with ForeignResourceError, leaving it alone.
 */
export async function createOrAdoptSecurityGroup(
  ctx: ApplyContext,
  group: { readonly name: string; readonly description: string },
  vpcId: string,
  tags: Readonly<Record<string, string>>,
  isOurs: (tags: Readonly<Record<string, string>>) => boolean,
): Promise<string> {
  try {
    const out = await ctx.caller.call('CreateSecurityGroup', () =>
      ctx.clients.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: group.name,
          Description: group.description,
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: toAwsTags(tags) }],
        }),
      ),
    );
    return out.GroupId ?? '';
  } catch (e: unknown) {
    if (!isAwsCallError(e) || e.awsCode !== 'InvalidGroup.Duplicate') throw e;
  }
  const out = await ctx.caller.call('DescribeSecurityGroups', () =>
    ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: [group.name] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    ),
  );
  const found = out.SecurityGroups?.[0];
  if (found?.GroupId === undefined || !isOurs(fromAwsTags(found.Tags))) {
    throw new ForeignResourceError('CreateSecurityGroup', `security group ${group.name}`);
  }
  return found.GroupId;
}
