import { ALB_LIMITS } from './stack.ts';
import { shortHash } from './canonical.ts';

/**
 * Stable AWS names for load balancers and target groups: at most 32 characters of `[a-zA-Z0-9-]`,
 * never starting or ending with `-` (nor `internal-` for load balancers). A readable prefix from
 * the Kubernetes names is followed by a hash of everything that identifies the resource, including
 * the fields that force AWS to replace it, so a replacement gets a new name and can be created
 * before the old one is deleted.
 */

const HASH_LENGTH = 10;

/** Lowercases, replaces anything outside `[a-z0-9]` by `-`, squeezes runs of `-` and trims them. */
export function sanitizeNamePart(part: string): string {
  return part
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function truncatePart(part: string, max: number): string {
  return sanitizeNamePart(part).slice(0, max).replace(/-+$/, '');
}

/** `p-<part>-<part>-<hash>`, with the readable parts shortened evenly to fit 32 characters. */
function composeName(parts: readonly string[], hashInput: unknown): string {
  const hash = shortHash(hashInput, HASH_LENGTH);
  const prefix = 'p';
  // Budget: prefix + '-' + parts joined by '-' + '-' + hash.
  const fixed = prefix.length + 1 + 1 + HASH_LENGTH;
  const separators = Math.max(0, parts.length - 1);
  const budget = ALB_LIMITS.nameLength - fixed - separators;
  const each = parts.length === 0 ? 0 : Math.floor(budget / parts.length);
  const readable = parts.map((p) => truncatePart(p, each)).filter((p) => p.length > 0);
  return [prefix, ...readable, hash].join('-');
}

/** Identity of a load balancer: the cluster, the group, and the fields AWS cannot change in place. */
export interface LoadBalancerNameInput {
  readonly clusterName: string;
  /** Explicit group name, or `namespace/name` of a lone Ingress. */
  readonly groupId: string;
  /** The scheme cannot change in place, so it is part of the name. */
  readonly scheme: string;
}

export function loadBalancerName(input: LoadBalancerNameInput): string {
  const [first, second] = input.groupId.includes('/') ? input.groupId.split('/', 2) : [input.groupId, undefined];
  const parts = second === undefined ? [first ?? ''] : [first ?? '', second];
  return composeName(parts, {
    cluster: input.clusterName,
    group: input.groupId,
    scheme: input.scheme,
  });
}

/** Identity of a target group: the backend plus the fields that force AWS to replace the group. */
export interface TargetGroupNameInput {
  readonly clusterName: string;
  readonly groupId: string;
  readonly namespace: string;
  readonly service: string;
  /** Service port as written in the Ingress (number or name). */
  readonly servicePort: string;
  readonly targetType: string;
  readonly protocol: string;
  readonly protocolVersion: string;
  readonly port: number;
  readonly ipAddressType?: string;
}

export function targetGroupName(input: TargetGroupNameInput): string {
  return composeName([input.namespace, input.service, input.servicePort], {
    cluster: input.clusterName,
    group: input.groupId,
    namespace: input.namespace,
    service: input.service,
    servicePort: input.servicePort,
    targetType: input.targetType,
    protocol: input.protocol,
    protocolVersion: input.protocolVersion,
    port: input.port,
    ipAddressType: input.ipAddressType ?? 'ipv4',
  });
}

/** Whether `name` is a valid ALB or target-group name; returns the reason when it is not. */
export function validateAwsName(name: string, kind: 'load balancer' | 'target group'): string | undefined {
  if (name.length < 1 || name.length > ALB_LIMITS.nameLength) {
    return `${kind} name must be 1-${ALB_LIMITS.nameLength} characters, got ${name.length}`;
  }
  if (!/^[a-zA-Z0-9-]+$/.test(name)) return `${kind} name may contain only letters, digits and '-'`;
  if (name.startsWith('-') || name.endsWith('-')) return `${kind} name must not begin or end with '-'`;
  if (kind === 'load balancer' && name.toLowerCase().startsWith('internal-')) {
    return `load balancer name must not begin with 'internal-'`;
  }
  return undefined;
}
