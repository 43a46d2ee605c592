import type { Stack } from '../model/stack.ts';
import { canonicalJson } from '../model/canonical.ts';
import type { ActualLoadBalancer, ActualStack } from './actual.ts';
import { desiredPermissions, referencedSecrets, targetGroupConfigHash, targetsHash } from './plan-fingerprint.ts';
import { sortAttributes, sortTargets, targetKey } from './plan-normal.ts';
import { attributeUpdate, LOAD_BALANCER_DEFAULTS, TARGET_GROUP_DEFAULTS } from './plan-attributes.ts';
import type { Operation, Permission, SecurityGroupRef } from './plan-operations.ts';
import { parsePermissionKey, permissionKey, PHASE } from './plan-operations.ts';
import { mergeTags, ownershipTags, resourceId, TAG_BACKEND, TAG_CONFIG_HASH, TAG_TARGETS_HASH } from './tags.ts';

/**
 * Operations for the resources around the listeners: imported certificates, the managed frontend
 * security group, the load balancer itself and the target groups.
 */

/** Network facts the shell resolved before planning (subnet and security-group discovery). */
export interface ResolvedNetwork {
  readonly vpcId: string;
  /** Subnets for the load balancer; `undefined` keeps the existing load balancer's (sticky discovery). */
  readonly subnetIds?: readonly string[];
  /** The user's security groups (`securityGroups.kind === 'list'`), resolved to IDs. */
  readonly securityGroupIds?: readonly string[];
}

export function planCertificates(
  desired: Stack,
  actual: ActualStack,
  secretHashes: ReadonlyMap<string, string>,
): Operation[] {
  const ops: Operation[] = [];
  const wanted = new Set(referencedSecrets(desired));
  const seen = new Set<string>();
  for (const cert of actual.certificates) {
    if (!wanted.has(cert.secret) || seen.has(cert.secret)) {
      ops.push({ op: 'deleteCertificate', phase: PHASE.delete, arn: cert.arn, secret: cert.secret });
      continue;
    }
    seen.add(cert.secret);
    const hash = secretHashes.get(cert.secret);
    if (hash !== undefined && cert.tags[TAG_CONFIG_HASH] !== hash) {
      ops.push({
        op: 'importCertificate',
        phase: PHASE.prepare,
        secret: cert.secret,
        configHash: hash,
        reimportArn: cert.arn,
      });
    }
  }
  for (const secret of wanted) {
    if (seen.has(secret)) continue;
    ops.push({ op: 'importCertificate', phase: PHASE.prepare, secret, configHash: secretHashes.get(secret) ?? '' });
  }
  return ops;
}

export function planSecurityGroup(desired: Stack, actual: ActualStack): Operation[] {
  const ops: Operation[] = [];
  const managed = desired.loadBalancer.securityGroups.kind === 'managed';
  const [keep, ...extra] = managed ? actual.securityGroups : [];
  const drop = managed ? extra : actual.securityGroups;
  for (const sg of drop) ops.push({ op: 'deleteSecurityGroup', phase: PHASE.delete, groupId: sg.id });
  if (!managed) return ops;
  const want = desiredPermissions(desired);
  if (keep === undefined) {
    ops.push({
      op: 'createSecurityGroup',
      phase: PHASE.prepare,
      lane: 'security-group',
      name: desired.loadBalancer.name,
      description: `Portico frontend security group for ${desired.id}`,
    });
    if (want.length > 0) {
      ops.push({
        op: 'authorizeIngress',
        phase: PHASE.prepare,
        lane: 'security-group',
        group: { managed: true },
        permissions: want,
      });
    }
    return ops;
  }
  if (keep.permissions === undefined) return ops;
  const have = new Set(keep.permissions);
  const add = want.filter((p) => !have.has(permissionKey(p)));
  if (add.length > 0) {
    ops.push({
      op: 'authorizeIngress',
      phase: PHASE.prepare,
      lane: 'security-group',
      group: { id: keep.id },
      permissions: add,
    });
  }
  const wantKeys = new Set(want.map(permissionKey));
  const remove = keep.permissions
    .filter((k) => !wantKeys.has(k))
    .map(parsePermissionKey)
    .filter((p): p is Permission => p !== undefined);
  if (remove.length > 0) ops.push({ op: 'revokeIngress', phase: PHASE.prune, groupId: keep.id, permissions: remove });
  return ops;
}

function securityGroupRefs(desired: Stack, network: ResolvedNetwork, backend?: SecurityGroupRef): SecurityGroupRef[] {
  const extra = backend !== undefined ? [backend] : [];
  if (desired.loadBalancer.securityGroups.kind === 'managed') return [{ managed: true }, ...extra];
  return [...[...(network.securityGroupIds ?? [])].sort().map((id) => ({ id })), ...extra];
}

/**
 * The load balancer that stays (its name is the desired one) and operations for it. Load balancers
 * with another name (an immutable field changed) are deleted first: a target group can serve only
 * one load balancer, so the new one cannot be built beside the old one.
 */
export function planLoadBalancer(
  desired: Stack,
  actual: ActualStack,
  network: ResolvedNetwork,
  clusterName: string,
  backend: { readonly ref?: SecurityGroupRef; readonly groupId?: string; readonly tags: Record<string, string> } = {
    tags: {},
  },
): { keep: ActualLoadBalancer | undefined; operations: Operation[] } {
  const lb = desired.loadBalancer;
  const ops: Operation[] = [];
  let keep: ActualLoadBalancer | undefined;
  for (const have of actual.loadBalancers) {
    const sameScheme = have.config === undefined || have.config.scheme === lb.scheme;
    if (keep === undefined && have.name === lb.name && sameScheme) keep = have;
    else ops.push({ op: 'deleteLoadBalancer', phase: PHASE.replace, arn: have.arn, name: have.name });
  }
  const sgRefs = securityGroupRefs(desired, network, backend.ref);
  if (keep === undefined) {
    ops.push({
      op: 'createLoadBalancer',
      phase: PHASE.create,
      name: lb.name,
      scheme: lb.scheme,
      ipAddressType: lb.ipAddressType,
      subnetIds: [...(network.subnetIds ?? [])].sort(),
      securityGroups: sgRefs,
      tags: mergeTags(lb.tags, {
        ...ownershipTags(clusterName, desired.id, resourceId.loadBalancer()),
        ...backend.tags,
      }),
    });
    if (lb.attributes.length > 0) {
      ops.push({
        op: 'modifyLoadBalancerAttributes',
        phase: PHASE.configure,
        attributes: sortAttributes(lb.attributes),
      });
    }
    return { keep, operations: ops };
  }
  const config = keep.config;
  if (config === undefined) return { keep, operations: ops };
  if (config.ipAddressType !== lb.ipAddressType) {
    ops.push({ op: 'setIpAddressType', phase: PHASE.configure, ipAddressType: lb.ipAddressType });
  }
  const subnets = network.subnetIds === undefined ? undefined : [...network.subnetIds].sort();
  if (subnets !== undefined && subnets.join(',') !== config.subnetIds.join(',')) {
    ops.push({ op: 'setSubnets', phase: PHASE.configure, subnetIds: subnets });
  }
  const managedId = actual.securityGroups[0]?.id;
  const wantIds = sgRefs
    .map((r) => ('id' in r ? r.id : 'managed' in r ? (managedId ?? 'managed') : (backend.groupId ?? 'backend')))
    .sort();
  if (wantIds.join(',') !== [...config.securityGroupIds].sort().join(',')) {
    ops.push({ op: 'setSecurityGroups', phase: PHASE.configure, securityGroups: sgRefs });
  }
  const attributes = attributeUpdate(lb.attributes, config.attributes, LOAD_BALANCER_DEFAULTS);
  if (attributes !== undefined) ops.push({ op: 'modifyLoadBalancerAttributes', phase: PHASE.configure, attributes });
  return { keep, operations: ops };
}

export function planTargetGroups(
  desired: Stack,
  actual: ActualStack,
  clusterName: string,
  backendTags: ReadonlyMap<string, string> = new Map(),
): Operation[] {
  const ops: Operation[] = [];
  for (const want of desired.targetGroups) {
    const lane = `targetgroup:${want.name}`;
    const backend = backendTags.get(want.name);
    const tags = mergeTags(want.tags, {
      ...ownershipTags(clusterName, desired.id, resourceId.targetGroup(want.id)),
      [TAG_CONFIG_HASH]: targetGroupConfigHash(want),
      [TAG_TARGETS_HASH]: targetsHash(want.targets),
      ...(backend !== undefined ? { [TAG_BACKEND]: backend } : {}),
    });
    const have = actual.targetGroups.find((t) => t.name === want.name);
    if (have === undefined) {
      ops.push({
        op: 'createTargetGroup',
        phase: PHASE.create,
        name: want.name,
        id: want.id,
        protocol: want.protocol,
        protocolVersion: want.protocolVersion,
        targetType: want.targetType,
        port: want.port,
        ipAddressType: want.ipAddressType,
        healthCheck: want.healthCheck,
        tags,
      });
      if (want.attributes.length > 0) {
        ops.push({
          op: 'modifyTargetGroupAttributes',
          phase: PHASE.configure,
          lane,
          name: want.name,
          attributes: sortAttributes(want.attributes),
        });
      }
      if (want.targets.length > 0) {
        ops.push({
          op: 'registerTargets',
          phase: PHASE.configure,
          lane,
          name: want.name,
          targets: sortTargets(want.targets),
        });
      }
      continue;
    }
    if (have.settings !== undefined) {
      if (canonicalJson(have.settings.healthCheck) !== canonicalJson(want.healthCheck)) {
        ops.push({
          op: 'modifyTargetGroup',
          phase: PHASE.configure,
          lane,
          name: want.name,
          healthCheck: want.healthCheck,
          grpc: want.protocolVersion === 'GRPC',
        });
      }
      const attributes = attributeUpdate(want.attributes, have.settings.attributes, TARGET_GROUP_DEFAULTS);
      if (attributes !== undefined) {
        ops.push({ op: 'modifyTargetGroupAttributes', phase: PHASE.configure, lane, name: want.name, attributes });
      }
    }
    if (have.targets !== undefined) {
      const haveKeys = new Set(have.targets.map(targetKey));
      const wantKeys = new Set(want.targets.map(targetKey));
      const add = sortTargets(want.targets.filter((t) => !haveKeys.has(targetKey(t))));
      const remove = sortTargets(have.targets.filter((t) => !wantKeys.has(targetKey(t))));
      if (add.length > 0)
        ops.push({ op: 'registerTargets', phase: PHASE.configure, lane, name: want.name, targets: add });
      if (remove.length > 0)
        ops.push({ op: 'deregisterTargets', phase: PHASE.prune, lane, name: want.name, targets: remove });
    }
    const changedTags = Object.entries(tags).filter(([k, v]) => have.tags[k] !== v);
    // User tags dropped from the desired group go; AWS's own (`aws:`) cannot be removed.
    const removeKeys = Object.keys(have.tags).filter((k) => !(k in tags) && !k.startsWith('aws:'));
    if (changedTags.length > 0 || removeKeys.length > 0) {
      ops.push({
        op: 'tagTargetGroup',
        phase: PHASE.summarize,
        name: want.name,
        tags: Object.fromEntries(changedTags),
        ...(removeKeys.length > 0 ? { removeKeys: removeKeys.sort() } : {}),
      });
    }
  }
  for (const have of actual.targetGroups) {
    if (!desired.targetGroups.some((t) => t.name === have.name)) {
      ops.push({ op: 'deleteTargetGroup', phase: PHASE.delete, arn: have.arn, name: have.name });
    }
  }
  return ops;
}
