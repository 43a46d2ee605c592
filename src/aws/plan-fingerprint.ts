import type { Stack, TargetGroupSpec, TargetSpec } from '../model/stack.ts';
import { shortHash } from '../model/canonical.ts';
import { normalListenerConfig, normalRuleOf, sortAttributes, sortTargets, targetGroupNamer } from './plan-normal.ts';
import type { Permission } from './plan-operations.ts';
import { permissionKey } from './plan-operations.ts';

/**
 * Fingerprints of desired state, written as summary tags after a successful apply and compared on
 * the next reconcile. Changing how anything is planned or applied must bump `PLAN_VERSION`, so that
 * stacks applied by an older Portico are re-read once.
 */
export const PLAN_VERSION = 2;

const LONG = 16;
const SHORT = 8;

/** The TLS material of a Secret, as the caller hands it to the provider. */
export interface TlsSecretData {
  readonly certificate: string;
  readonly privateKey: string;
  readonly chain?: string;
}

export function secretHash(data: TlsSecretData): string {
  return shortHash({ c: data.certificate, k: data.privateKey, ch: data.chain ?? '' }, LONG);
}

/** Secrets (`namespace/name`) the stack's listeners import. */
export function referencedSecrets(stack: Stack): string[] {
  const out = new Set<string>();
  for (const l of stack.listeners) {
    for (const c of l.certificates) if (c.kind === 'secret') out.add(`${c.namespace}/${c.name}`);
  }
  return [...out].sort();
}

/** Hash of everything that makes up the desired stack, including the data of its TLS Secrets. */
export function stackSpecHash(stack: Stack, secretHashes: ReadonlyMap<string, string>): string {
  const secrets = referencedSecrets(stack).map((s) => [s, secretHashes.get(s) ?? 'missing']);
  return shortHash({ v: PLAN_VERSION, stack, secrets }, LONG);
}

/** Ingress permissions of the managed frontend security group (none when the user's groups are used). */
export function desiredPermissions(stack: Stack): Permission[] {
  const sg = stack.loadBalancer.securityGroups;
  if (sg.kind !== 'managed') return [];
  const out = new Map<string, Permission>();
  for (const l of stack.listeners) {
    for (const cidr of sg.inboundCidrs) {
      const p = { port: l.port, cidr };
      out.set(permissionKey(p), p);
    }
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, p]) => p);
}

/** The load balancer's own settings (backend group included) plus its managed security group's permissions. */
export function loadBalancerConfigHash(stack: Stack): string {
  const lb = stack.loadBalancer;
  return shortHash(
    {
      v: PLAN_VERSION,
      name: lb.name,
      scheme: lb.scheme,
      ipAddressType: lb.ipAddressType,
      subnets: lb.subnets,
      securityGroups: lb.securityGroups,
      backend: lb.manageBackendSecurityGroupRules,
      attributes: sortAttributes(lb.attributes),
      permissions: desiredPermissions(stack).map(permissionKey),
    },
    LONG,
  );
}

export interface ListenerSummary {
  readonly port: number;
  readonly config: string;
  readonly rules: string;
}

export function listenerSummaries(stack: Stack): ListenerSummary[] {
  const tgName = targetGroupNamer(stack);
  return stack.listeners.map((l) => ({
    port: l.port,
    config: shortHash({ v: PLAN_VERSION, c: normalListenerConfig(l, tgName) }, SHORT),
    rules: shortHash(
      { v: PLAN_VERSION, r: l.rules.map((r) => ({ p: r.priority, c: normalRuleOf(r, tgName) })) },
      SHORT,
    ),
  }));
}

export function targetGroupConfigHash(tg: TargetGroupSpec): string {
  return shortHash({ v: PLAN_VERSION, hc: tg.healthCheck, a: sortAttributes(tg.attributes) }, LONG);
}

export function targetsHash(targets: readonly TargetSpec[]): string {
  return shortHash({ v: PLAN_VERSION, t: sortTargets(targets) }, LONG);
}
