import { canonicalJson } from '../model/canonical.ts';
import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { CertificateRef, ListenerProtocol } from '../model/stack.ts';
import type { TargetGroupCandidate } from './backends.ts';
import type { GroupMember } from './groups.ts';
import type { MemberRoutes } from './member-routes.ts';
import type { MemberSettings } from './member-settings.ts';
import { refKey } from './types.ts';

/**
 * Group-level settings merged across members with the AWS controller's semantics: Exclusive
 * (members must agree), Merge (combined; the same key with two values conflicts) and Per-port
 * (combined, but must agree on one port). Unlike the AWS controller, a conflict does not fail the
 * group: the later member (by precedence) is left out with a diagnostic that names both.
 */

export interface MemberModel {
  readonly member: GroupMember;
  readonly settings: MemberSettings;
  readonly routes: MemberRoutes;
  readonly certificates: readonly CertificateRef[];
  readonly targetGroups: readonly TargetGroupCandidate[];
}

interface Owned<T> {
  readonly value: T;
  readonly by: string;
}

/** The merged settings of accepted members. */
export interface GroupSettings {
  readonly exclusive: ReadonlyMap<string, Owned<unknown>>;
  readonly ports: ReadonlyMap<number, Owned<ListenerProtocol>>;
  readonly sslPolicies: ReadonlyMap<number, Owned<string>>;
  readonly lbAttributes: ReadonlyMap<string, Owned<string>>;
  readonly tags: ReadonlyMap<string, Owned<string>>;
  readonly listenerAttributes: ReadonlyMap<string, Owned<string>>;
  readonly inboundCidrs: readonly string[];
  readonly defaultBackendBy?: string;
}

const EXCLUSIVE = [
  ['loadBalancerName', 'load-balancer-name'],
  ['scheme', 'scheme'],
  ['ipAddressType', 'ip-address-type'],
  ['subnets', 'subnets'],
  ['securityGroups', 'security-groups'],
  ['manageBackendSecurityGroupRules', 'manage-backend-security-group-rules'],
  ['sslRedirect', 'ssl-redirect'],
] as const;

interface Acc {
  exclusive: Map<string, Owned<unknown>>;
  ports: Map<number, Owned<ListenerProtocol>>;
  sslPolicies: Map<number, Owned<string>>;
  lbAttributes: Map<string, Owned<string>>;
  tags: Map<string, Owned<string>>;
  listenerAttributes: Map<string, Owned<string>>;
  inboundCidrs: Set<string>;
  defaultBackendBy?: string;
}

/** Every conflict between `m` and what earlier members set; empty when `m` fits. */
function conflicts(acc: Acc, m: MemberModel, prefix: string): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const s = m.settings;
  const ann = (k: string) => `metadata.annotations[${prefix}${k}]`;
  for (const [prop, key] of EXCLUSIVE) {
    const v = s[prop];
    const had = acc.exclusive.get(prop);
    if (v !== undefined && had !== undefined && canonicalJson(had.value) !== canonicalJson(v)) {
      out.push({
        field: ann(key),
        message: `${key} is ${canonicalJson(v)} here but ${canonicalJson(had.value)} in ${had.by}; members of one group must agree`,
      });
    }
  }
  for (const p of s.ports) {
    const had = acc.ports.get(p.port);
    if (had !== undefined && had.value !== p.protocol) {
      out.push({
        field: ann('listen-ports'),
        message: `port ${p.port} is ${p.protocol} here but ${had.value} in ${had.by}`,
      });
    }
    const policy = s.sslPolicy;
    const hadPolicy = acc.sslPolicies.get(p.port);
    if (p.protocol === 'HTTPS' && policy !== undefined && hadPolicy !== undefined && hadPolicy.value !== policy) {
      out.push({
        field: ann('ssl-policy'),
        message: `port ${p.port} uses ssl-policy ${policy} here but ${hadPolicy.value} in ${hadPolicy.by}`,
      });
    }
  }
  for (const [k, v] of Object.entries(s.loadBalancerAttributes)) {
    const had = acc.lbAttributes.get(k);
    if (had !== undefined && had.value !== v && !s.classAttributeKeys.includes(k)) {
      out.push({
        field: ann('load-balancer-attributes'),
        message: `attribute ${k} is ${JSON.stringify(v)} here but ${JSON.stringify(had.value)} in ${had.by}`,
      });
    }
  }
  for (const [k, v] of Object.entries(s.tags)) {
    const had = acc.tags.get(k);
    if (had !== undefined && had.value !== v) {
      out.push({
        field: ann('tags'),
        message: `tag ${k} is ${JSON.stringify(v)} here but ${JSON.stringify(had.value)} in ${had.by}`,
      });
    }
  }
  for (const [listener, attrs] of Object.entries(s.listenerAttributes)) {
    for (const [k, v] of Object.entries(attrs)) {
      const had = acc.listenerAttributes.get(`${listener}|${k}`);
      if (had !== undefined && had.value !== v) {
        out.push({
          field: ann(`listener-attributes.${listener.replace(':', '-')}`),
          message: `listener attribute ${k} on ${listener} is ${JSON.stringify(v)} here but ${JSON.stringify(had.value)} in ${had.by}`,
        });
      }
    }
  }
  if (m.member.ingress.spec.defaultBackend !== undefined && acc.defaultBackendBy !== undefined) {
    out.push({
      field: 'spec.defaultBackend',
      message: `the group already has a defaultBackend, from ${acc.defaultBackendBy}; a group takes one`,
    });
  }
  return out;
}

function commit(acc: Acc, m: MemberModel): void {
  const by = refKey(m.member.ref);
  const s = m.settings;
  for (const [prop] of EXCLUSIVE) {
    const v = s[prop];
    if (v !== undefined && !acc.exclusive.has(prop)) acc.exclusive.set(prop, { value: v, by });
  }
  for (const p of s.ports) {
    if (!acc.ports.has(p.port)) acc.ports.set(p.port, { value: p.protocol, by });
    if (p.protocol === 'HTTPS' && s.sslPolicy !== undefined && !acc.sslPolicies.has(p.port))
      acc.sslPolicies.set(p.port, { value: s.sslPolicy, by });
  }
  for (const [k, v] of Object.entries(s.loadBalancerAttributes)) {
    if (!acc.lbAttributes.has(k) || s.classAttributeKeys.includes(k)) acc.lbAttributes.set(k, { value: v, by });
  }
  for (const [k, v] of Object.entries(s.tags)) if (!acc.tags.has(k)) acc.tags.set(k, { value: v, by });
  for (const [listener, attrs] of Object.entries(s.listenerAttributes)) {
    for (const [k, v] of Object.entries(attrs)) {
      if (!acc.listenerAttributes.has(`${listener}|${k}`))
        acc.listenerAttributes.set(`${listener}|${k}`, { value: v, by });
    }
  }
  for (const c of s.inboundCidrs ?? []) acc.inboundCidrs.add(c);
  if (m.member.ingress.spec.defaultBackend !== undefined) acc.defaultBackendBy ??= by;
}

/**
 * Accepts members in precedence order; a member that conflicts with an earlier accepted one is
 * rejected with one diagnostic per conflict, each naming both members.
 */
export function mergeMembers(
  models: readonly MemberModel[],
  prefix: string,
): {
  accepted: MemberModel[];
  rejected: Array<{ model: MemberModel; diagnostics: Diagnostic[] }>;
  settings: GroupSettings;
} {
  const acc: Acc = {
    exclusive: new Map(),
    ports: new Map(),
    sslPolicies: new Map(),
    lbAttributes: new Map(),
    tags: new Map(),
    listenerAttributes: new Map(),
    inboundCidrs: new Set(),
  };
  const accepted: MemberModel[] = [];
  const rejected: Array<{ model: MemberModel; diagnostics: Diagnostic[] }> = [];
  for (const m of models) {
    const found = conflicts(acc, m, prefix);
    if (found.length === 0) {
      commit(acc, m);
      accepted.push(m);
      continue;
    }
    const ref = { kind: 'Ingress', namespace: m.member.ref.namespace, name: m.member.ref.name };
    rejected.push({
      model: m,
      diagnostics: found.map((c) =>
        diagnostic('GroupConflict', ref, c.field, `${c.message}; this Ingress is left out of the group`),
      ),
    });
  }
  return {
    accepted,
    rejected,
    settings: { ...acc, inboundCidrs: [...acc.inboundCidrs].sort() },
  };
}
