/**
 * The one owner of Portico's AWS tag keys and of the `portico.dev/resource` values.
 *
 * Ownership: everything Portico creates carries `portico.dev/cluster` (the cluster name) and
 * `portico.dev/stack` (the IngressGroup's stack ID). Anything without this cluster's tag is never
 * modified or deleted.
 *
 * Summaries: a few tags summarise applied state so that an unchanged stack costs no AWS call beyond
 * the shared tagging read. Each summary is written only after the state it describes has been
 * applied, so a controller killed between two calls never leaves a summary that claims more than
 * AWS holds (a stale summary only costs a describe on the next reconcile).
 */

/** Cluster name; the ownership mark. */
export const TAG_CLUSTER = 'portico.dev/cluster';
/** Stack ID (the IngressGroup ID). */
export const TAG_STACK = 'portico.dev/stack';
/** Resource ID inside the stack: see `resourceId`. */
export const TAG_RESOURCE = 'portico.dev/resource';
/** On the load balancer: hash of the whole desired stack last applied completely. */
export const TAG_SPEC_HASH = 'portico.dev/spec-hash';
/**
 * Hash of the resource's own applied settings: load balancer (with its managed security group's
 * rules), target group (health check and attributes), imported certificate (the Secret's data).
 */
export const TAG_CONFIG_HASH = 'portico.dev/config-hash';
/** On a target group: hash of its registered targets. */
export const TAG_TARGETS_HASH = 'portico.dev/targets-hash';
/** On the load balancer: `port=<config hash>.<rules hash>` per listener, space separated. */
export const TAG_LISTENERS = 'portico.dev/listeners';

/**
 * Backend security-group rules: on a load balancer, that it carries the cluster's backend group; on
 * a target group, the rules (`<sg-id>:<ports>`) its targets need (see `plan-backend.ts`).
 */
export const TAG_BACKEND = 'portico.dev/backend';

/** Every tag key Portico writes; user tags may not use them. */
export const PORTICO_TAG_KEYS: readonly string[] = [
  TAG_CLUSTER,
  TAG_STACK,
  TAG_RESOURCE,
  TAG_SPEC_HASH,
  TAG_CONFIG_HASH,
  TAG_TARGETS_HASH,
  TAG_LISTENERS,
  TAG_BACKEND,
];

export type Tags = Readonly<Record<string, string>>;

/** `portico.dev/resource` values, one constructor per resource kind. */
export const resourceId = {
  loadBalancer: (): string => 'loadbalancer',
  securityGroup: (): string => 'security-group',
  /** The cluster's shared backend security group (it belongs to no stack). */
  backendSecurityGroup: (): string => 'backend-security-group',
  listener: (port: number): string => `listener/${port}`,
  targetGroup: (targetGroupId: string): string => `targetgroup/${targetGroupId}`,
  /** `secretKey` is `namespace/name`. */
  certificate: (secretKey: string): string => `certificate/${secretKey}`,
} as const;

/** Parsed `portico.dev/resource` value. */
export type ResourceKey =
  | { readonly kind: 'loadbalancer' }
  | { readonly kind: 'security-group' }
  | { readonly kind: 'backend-security-group' }
  | { readonly kind: 'listener'; readonly port: number }
  | { readonly kind: 'targetgroup'; readonly id: string }
  | { readonly kind: 'certificate'; readonly secret: string }
  | { readonly kind: 'unknown'; readonly value: string };

export function parseResourceId(value: string | undefined): ResourceKey {
  const v = value ?? '';
  if (v === 'loadbalancer') return { kind: 'loadbalancer' };
  if (v === 'security-group') return { kind: 'security-group' };
  if (v === 'backend-security-group') return { kind: 'backend-security-group' };
  const slash = v.indexOf('/');
  const head = slash < 0 ? v : v.slice(0, slash);
  const rest = slash < 0 ? '' : v.slice(slash + 1);
  if (head === 'listener' && /^\d+$/.test(rest)) return { kind: 'listener', port: Number(rest) };
  if (head === 'targetgroup' && rest !== '') return { kind: 'targetgroup', id: rest };
  if (head === 'certificate' && rest !== '') return { kind: 'certificate', secret: rest };
  return { kind: 'unknown', value: v };
}

/** The ownership tags of one resource of a stack. */
export function ownershipTags(clusterName: string, stackId: string, resource: string): Record<string, string> {
  return { [TAG_CLUSTER]: clusterName, [TAG_STACK]: stackId, [TAG_RESOURCE]: resource };
}

/** Whether the tags mark a resource as owned by Portico in this cluster. */
export function isOwned(tags: Tags, clusterName: string): boolean {
  return tags[TAG_CLUSTER] === clusterName;
}

/** User tags first, then Portico's (which win on a clash); keys sorted. */
export function mergeTags(user: Tags, portico: Tags): Record<string, string> {
  const all: Record<string, string> = { ...user, ...portico };
  const out: Record<string, string> = {};
  for (const key of Object.keys(all).sort()) {
    const value = all[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** `{k: v}` → AWS `[{Key, Value}]`, keys sorted. */
export function toAwsTags(tags: Tags): Array<{ Key: string; Value: string }> {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key] ?? '' }));
}

/** AWS `[{Key, Value}]` (any casing the SDK returns) → `{k: v}`. */
export function fromAwsTags(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

const TAG_VALUE_MAX = 256;

/** Encodes per-listener summaries into one tag value; `undefined` when it would not fit (then nothing is trusted). */
export function encodeListenerSummaries(
  entries: ReadonlyArray<{ port: number; config: string; rules: string }>,
): string | undefined {
  const value = [...entries]
    .sort((a, b) => a.port - b.port)
    .map((e) => `${e.port}=${e.config}.${e.rules}`)
    .join(' ');
  return value.length <= TAG_VALUE_MAX ? value : undefined;
}

export function decodeListenerSummaries(
  value: string | undefined,
): ReadonlyMap<number, { config: string; rules: string }> {
  const out = new Map<number, { config: string; rules: string }>();
  for (const part of (value ?? '').split(' ')) {
    const m = /^(\d+)=([0-9a-f]+)\.([0-9a-f]+)$/.exec(part);
    if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined) {
      out.set(Number(m[1]), { config: m[2], rules: m[3] });
    }
  }
  return out;
}
