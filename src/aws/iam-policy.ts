/**
 * The controller's IAM policy, derived from the AWS operations the code actually calls.
 *
 * `scripts/generate-iam-policy.ts` finds every SDK v3 `XxxCommand` the provider uses; this module maps each
 * one to the IAM action it needs, plus the actions AWS checks implicitly for it (tag-on-create, the ELB
 * service-linked role), and conditions every mutating action on Portico's ownership tag, the way the AWS
 * Load Balancer Controller's published policy does with `elbv2.k8s.aws/cluster`:
 * - creates must carry the tag in the request (`aws:RequestTag/portico.dev/cluster` present);
 * - changes and deletes only touch resources that already carry it (`aws:ResourceTag/portico.dev/cluster` present).
 * Reads (`Describe*`, `List*`, `Get*`) are granted on `*`: AWS cannot scope most of them by tag.
 *
 * An operation that is neither a read nor in the table below is an error, never a guess: a new mutating call
 * must be placed in a statement on purpose, so that its condition is reviewed.
 */

import { TAG_CLUSTER } from './tags.ts';

/** Tag key that marks a resource as owned by a Portico cluster (DESIGN.md, "Names and ownership"). */
export const OWNERSHIP_TAG_KEY = TAG_CLUSTER;

/** IAM service prefix of each AWS SDK v3 client package Portico uses. */
export const SDK_PACKAGE_SERVICES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-acm': 'acm',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-resource-groups-tagging-api': 'tag',
};

/** One IAM policy statement, in the shape IAM and CloudFormation take. Arrays are always arrays. */
export interface IamStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A complete IAM policy document. */
export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamStatement[];
}

/** An operation the code calls and where, so errors can name the file. */
export interface CalledOperation {
  /** IAM action, e.g. `elasticloadbalancing:CreateLoadBalancer`. */
  readonly action: string;
  /** Repository-relative files that call it. */
  readonly files: readonly string[];
}

/** Options for {@link buildIamPolicy}. */
export interface IamPolicyOptions {
  /**
   * ARN partition for the few statements that name resource types.
   * @default 'aws'
   */
  readonly partition?: string;
}

/** Statements in document order. Each is filled only when a called operation needs it. */
const STATEMENT_IDS = [
  'Read',
  'CreateServiceLinkedRoleForElb',
  'ElbCreateWithOwnershipTag',
  'ElbTagOnCreate',
  'ElbChangeOwned',
  'Ec2CreateSecurityGroupInVpc',
  'Ec2CreateWithOwnershipTag',
  'Ec2TagOnCreate',
  'Ec2ChangeOwned',
  'Ec2IngressRulesOnTargetGroups',
  'AcmImportWithOwnershipTag',
  'AcmTagOnImport',
  'AcmChangeOwned',
  'TaggingChangeOwned',
] as const;

/** Identifier of one statement of the generated policy. */
export type StatementId = (typeof STATEMENT_IDS)[number];

/** One permission an operation needs: `action` (default: the operation's own action) in statement `sid`. */
interface Grant {
  readonly sid: StatementId;
  readonly action?: string;
  /** Why AWS checks this extra action; shown in the docs and used by the tests. */
  readonly because?: string;
}

const ELB = 'elasticloadbalancing';

const elbCreate = (): readonly Grant[] => [
  { sid: 'ElbCreateWithOwnershipTag' },
  {
    sid: 'ElbTagOnCreate',
    action: `${ELB}:AddTags`,
    because: 'ELB authorizes the Tags of a create call as elasticloadbalancing:AddTags',
  },
];
const elbOwned: readonly Grant[] = [{ sid: 'ElbChangeOwned' }];
const ec2Owned: readonly Grant[] = [{ sid: 'Ec2ChangeOwned' }];
const acmOwned: readonly Grant[] = [{ sid: 'AcmChangeOwned' }];

/** Mutating operations Portico may call, and the statements that grant them. */
const MUTATING: Readonly<Record<string, readonly Grant[]>> = {
  [`${ELB}:CreateLoadBalancer`]: [
    ...elbCreate(),
    {
      sid: 'CreateServiceLinkedRoleForElb',
      action: 'iam:CreateServiceLinkedRole',
      because: 'the first load balancer in an account creates the ELB service-linked role',
    },
  ],
  [`${ELB}:CreateTargetGroup`]: elbCreate(),
  [`${ELB}:CreateListener`]: elbCreate(),
  [`${ELB}:CreateRule`]: elbCreate(),
  [`${ELB}:AddTags`]: elbOwned,
  [`${ELB}:RemoveTags`]: elbOwned,
  [`${ELB}:DeleteLoadBalancer`]: elbOwned,
  [`${ELB}:ModifyLoadBalancerAttributes`]: elbOwned,
  [`${ELB}:SetSecurityGroups`]: elbOwned,
  [`${ELB}:SetSubnets`]: elbOwned,
  [`${ELB}:SetIpAddressType`]: elbOwned,
  [`${ELB}:ModifyCapacityReservation`]: elbOwned,
  [`${ELB}:ModifyIpPools`]: elbOwned,
  [`${ELB}:DeleteTargetGroup`]: elbOwned,
  [`${ELB}:ModifyTargetGroup`]: elbOwned,
  [`${ELB}:ModifyTargetGroupAttributes`]: elbOwned,
  [`${ELB}:RegisterTargets`]: elbOwned,
  [`${ELB}:DeregisterTargets`]: elbOwned,
  [`${ELB}:DeleteListener`]: elbOwned,
  [`${ELB}:ModifyListener`]: elbOwned,
  [`${ELB}:ModifyListenerAttributes`]: elbOwned,
  [`${ELB}:AddListenerCertificates`]: elbOwned,
  [`${ELB}:RemoveListenerCertificates`]: elbOwned,
  [`${ELB}:DeleteRule`]: elbOwned,
  [`${ELB}:ModifyRule`]: elbOwned,
  [`${ELB}:SetRulePriorities`]: elbOwned,
  'ec2:CreateSecurityGroup': [
    // The VPC is part of the request but is not Portico's; only the new group must carry the tag.
    { sid: 'Ec2CreateSecurityGroupInVpc' },
    { sid: 'Ec2CreateWithOwnershipTag' },
    {
      sid: 'Ec2TagOnCreate',
      action: 'ec2:CreateTags',
      because: 'EC2 authorizes TagSpecifications of a create call as ec2:CreateTags',
    },
  ],
  'ec2:DeleteSecurityGroup': ec2Owned,
  // Backend rules go on the targets' (node and pod) security groups, which Portico does not own, so these two
  // cannot be tag-conditioned (the AWS Load Balancer Controller grants them on every group too). Portico only
  // revokes rules it added: their source is its backend group and their description names the cluster.
  'ec2:AuthorizeSecurityGroupIngress': [{ sid: 'Ec2IngressRulesOnTargetGroups' }],
  'ec2:RevokeSecurityGroupIngress': [{ sid: 'Ec2IngressRulesOnTargetGroups' }],
  'ec2:AuthorizeSecurityGroupEgress': ec2Owned,
  'ec2:RevokeSecurityGroupEgress': ec2Owned,
  'ec2:ModifySecurityGroupRules': ec2Owned,
  'ec2:UpdateSecurityGroupRuleDescriptionsIngress': ec2Owned,
  'ec2:CreateTags': ec2Owned,
  'ec2:DeleteTags': ec2Owned,
  'acm:ImportCertificate': [
    // A first import carries the tag in the request; a re-import names an existing certificate, which must be ours.
    { sid: 'AcmImportWithOwnershipTag' },
    { sid: 'AcmChangeOwned' },
    {
      sid: 'AcmTagOnImport',
      action: 'acm:AddTagsToCertificate',
      because: 'ACM authorizes the Tags of ImportCertificate as acm:AddTagsToCertificate',
    },
  ],
  'acm:DeleteCertificate': acmOwned,
  'acm:AddTagsToCertificate': acmOwned,
  'acm:RemoveTagsFromCertificate': acmOwned,
  'tag:TagResources': [{ sid: 'TaggingChangeOwned' }],
  'tag:UntagResources': [{ sid: 'TaggingChangeOwned' }],
};

const READ_PREFIXES = ['Describe', 'List', 'Get'];

/** An operation that is not a read and has no statement in the table: it must be placed on purpose. */
export class UnmappedOperationError extends Error {
  readonly code = 'IamUnmappedOperation';
  constructor(op: CalledOperation) {
    super(
      `${op.action} (called in ${op.files.join(', ')}) is not in the IAM table of src/aws/iam-policy.ts; ` +
        'add it to a statement with an ownership-tag condition',
    );
    this.name = 'UnmappedOperationError';
  }
}

/** Every permission `action` needs: its own action plus the ones AWS checks implicitly. */
export function grantsFor(op: CalledOperation): readonly { sid: StatementId; action: string; because?: string }[] {
  const verb = op.action.slice(op.action.indexOf(':') + 1);
  const mapped = MUTATING[op.action];
  if (mapped !== undefined) return mapped.map((g) => ({ ...g, action: g.action ?? op.action }));
  if (READ_PREFIXES.some((p) => verb.startsWith(p))) return [{ sid: 'Read', action: op.action }];
  throw new UnmappedOperationError(op);
}

function statementBody(
  sid: StatementId,
  partition: string,
  createActions: readonly string[],
): Pick<IamStatement, 'Resource' | 'Condition'> {
  const requestTag = { Null: { [`aws:RequestTag/${OWNERSHIP_TAG_KEY}`]: 'false' } };
  const resourceTag = { Null: { [`aws:ResourceTag/${OWNERSHIP_TAG_KEY}`]: 'false' } };
  const securityGroups = `arn:${partition}:ec2:*:*:security-group/*`;
  switch (sid) {
    case 'Read':
      return { Resource: ['*'] };
    case 'CreateServiceLinkedRoleForElb':
      return {
        Resource: ['*'],
        Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
      };
    case 'ElbCreateWithOwnershipTag':
    case 'AcmImportWithOwnershipTag':
    case 'AcmTagOnImport':
      return { Resource: ['*'], Condition: requestTag };
    case 'ElbTagOnCreate':
      return {
        Resource: ['*'],
        Condition: { StringEquals: { 'elasticloadbalancing:CreateAction': createActions }, ...requestTag },
      };
    case 'ElbChangeOwned':
    case 'AcmChangeOwned':
    case 'TaggingChangeOwned':
      return { Resource: ['*'], Condition: resourceTag };
    case 'Ec2CreateSecurityGroupInVpc':
      return { Resource: [`arn:${partition}:ec2:*:*:vpc/*`] };
    case 'Ec2CreateWithOwnershipTag':
      return { Resource: [securityGroups], Condition: requestTag };
    case 'Ec2TagOnCreate':
      return {
        Resource: [securityGroups],
        Condition: { StringEquals: { 'ec2:CreateAction': createActions }, ...requestTag },
      };
    case 'Ec2ChangeOwned':
      return { Resource: [securityGroups], Condition: resourceTag };
    case 'Ec2IngressRulesOnTargetGroups':
      return { Resource: [securityGroups] };
  }
}

/**
 * The policy document for a set of called operations. Deterministic: statements in a fixed order, actions
 * sorted, so the committed JSON only changes when the calls do.
 */
export function buildIamPolicy(calls: readonly CalledOperation[], options: IamPolicyOptions = {}): IamPolicyDocument {
  const partition = options.partition ?? 'aws';
  const actions = new Map<StatementId, Set<string>>();
  // Tag-on-create statements are limited to the create calls that actually tag.
  const createActions = new Map<StatementId, Set<string>>();
  for (const op of calls) {
    for (const grant of grantsFor(op)) {
      addTo(actions, grant.sid, grant.action);
      if (grant.sid === 'ElbTagOnCreate' || grant.sid === 'Ec2TagOnCreate') {
        addTo(createActions, grant.sid, op.action.slice(op.action.indexOf(':') + 1));
      }
    }
  }
  const statements: IamStatement[] = [];
  for (const sid of STATEMENT_IDS) {
    const granted = actions.get(sid);
    if (granted === undefined) continue;
    const body = statementBody(sid, partition, [...(createActions.get(sid) ?? [])].sort());
    statements.push({ Sid: sid, Effect: 'Allow', Action: [...granted].sort(), ...body });
  }
  return { Version: '2012-10-17', Statement: statements };
}

function addTo(map: Map<StatementId, Set<string>>, key: StatementId, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}

/** Every action a policy document grants, across all statements. */
export function grantedActions(policy: IamPolicyDocument): ReadonlySet<string> {
  return new Set(policy.Statement.flatMap((s) => s.Action));
}
