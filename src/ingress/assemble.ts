import { canonicalJson, shortHash } from '../model/canonical.ts';
import { loadBalancerName, targetGroupName } from '../model/names.ts';
import { packRules } from '../model/pack.ts';
import type {
  Action,
  Attribute,
  CertificateRef,
  ListenerSpec,
  LoadBalancerSpec,
  RuleSpec,
  Stack,
  TargetGroupSpec,
} from '../model/stack.ts';
import type { TargetGroupCandidate } from './backends.ts';
import type { GroupSettings, MemberModel } from './merge.ts';
import type { Route, RouteAction } from './member-routes.ts';
import type { ResolvedOptions } from './options.ts';
import { refKey } from './types.ts';

/**
 * Accepted members + merged settings → the Stack: listeners, rules in Kubernetes order across the
 * whole group, priorities 1…n per listener, target groups deduplicated by ID.
 */

interface PlacedRoute {
  readonly route: Route;
  readonly memberIndex: number;
  readonly source: string;
  readonly ports: ReadonlySet<number>;
}

/** Kubernetes precedence: exact host, wildcard host, no host; Exact, Prefix (longest first); then member order. */
export function compareRoutes(a: PlacedRoute, b: PlacedRoute): number {
  const ra = a.route;
  const rb = b.route;
  return (
    ra.hostRank - rb.hostRank ||
    (ra.host < rb.host ? -1 : ra.host > rb.host ? 1 : 0) ||
    ra.pathRank - rb.pathRank ||
    rb.pathLength - ra.pathLength ||
    ra.tieBreak - rb.tieBreak ||
    a.memberIndex - b.memberIndex ||
    ra.ruleIndex - rb.ruleIndex ||
    ra.pathIndex - rb.pathIndex
  );
}

const NOT_FOUND: Action = { type: 'fixed-response', statusCode: '404', contentType: 'text/plain' };

function actionsFor(a: RouteAction, https: boolean, rename: (id: string) => string): Action[] {
  const t = a.terminal;
  const terminal: Action =
    t.type === 'forward'
      ? { ...t, targetGroups: t.targetGroups.map((g) => ({ ...g, targetGroupId: rename(g.targetGroupId) })) }
      : t;
  return https && a.auth !== undefined ? [a.auth, terminal] : [terminal];
}

function sortedAttributes(
  m: ReadonlyMap<string, { value: string }>,
  filter?: (k: string) => string | undefined,
): Attribute[] {
  const out: Attribute[] = [];
  for (const [k, v] of m) {
    const key = filter === undefined ? k : filter(k);
    if (key !== undefined) out.push({ key, value: v.value });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Target groups of all members, one per ID; a same-ID backend with other settings gets a variant ID. */
function dedupeTargetGroups(models: readonly MemberModel[]): {
  groups: Map<string, TargetGroupSpec>;
  renames: Array<Map<string, string>>;
} {
  const groups = new Map<string, TargetGroupSpec>();
  const bodies = new Map<string, string>();
  const renames = models.map(() => new Map<string, string>());
  models.forEach((m, i) => {
    for (const c of m.targetGroups) addTargetGroup(c, groups, bodies, renames[i] ?? new Map());
  });
  return { groups, renames };
}

function addTargetGroup(
  c: TargetGroupCandidate,
  groups: Map<string, TargetGroupSpec>,
  bodies: Map<string, string>,
  rename: Map<string, string>,
): void {
  const base = c.spec.id;
  const first = groups.get(base);
  if (first === undefined || first === c.spec) {
    if (first === undefined) groups.set(base, c.spec);
    rename.set(base, base);
    return;
  }
  const bodyOf = (spec: TargetGroupSpec) => canonicalJson({ ...spec, id: '', name: '' });
  let firstBody = bodies.get(base);
  if (firstBody === undefined) {
    firstBody = bodyOf(first);
    bodies.set(base, firstBody);
  }
  const body = bodyOf(c.spec);
  if (body === firstBody) {
    rename.set(base, base);
    return;
  }
  const variant = shortHash(body, 6);
  const id = `${base}@${variant}`;
  if (!groups.has(id)) {
    const name = targetGroupName({ ...c.nameInput, servicePort: `${c.nameInput.servicePort}-${variant}` });
    groups.set(id, { ...c.spec, id, name });
  }
  rename.set(base, id);
}

function loadBalancer(groupId: string, s: GroupSettings, options: ResolvedOptions): LoadBalancerSpec {
  const ex = (k: string) => s.exclusive.get(k)?.value;
  const scheme = (ex('scheme') as LoadBalancerSpec['scheme'] | undefined) ?? options.defaults.scheme;
  const ipAddressType =
    (ex('ipAddressType') as LoadBalancerSpec['ipAddressType'] | undefined) ?? options.defaults.ipAddressType;
  const subnets = ex('subnets') as { ids: string[]; names: string[] } | undefined;
  const sgs = ex('securityGroups') as { ids: string[]; names: string[] } | undefined;
  const manage = ex('manageBackendSecurityGroupRules') as boolean | undefined;
  const defaultCidrs = ipAddressType === 'ipv4' ? ['0.0.0.0/0'] : ['0.0.0.0/0', '::/0'];
  const tags: Record<string, string> = {};
  for (const [k, v] of s.tags) tags[k] = v.value;
  Object.assign(tags, options.defaults.tags);
  return {
    name:
      (ex('loadBalancerName') as string | undefined) ??
      loadBalancerName({ clusterName: options.clusterName, groupId, scheme }),
    scheme,
    ipAddressType,
    subnets: subnets === undefined ? { kind: 'discover' } : { kind: 'list', ...subnets },
    securityGroups:
      sgs === undefined
        ? { kind: 'managed', inboundCidrs: s.inboundCidrs.length > 0 ? s.inboundCidrs : defaultCidrs }
        : { kind: 'list', ...sgs },
    manageBackendSecurityGroupRules: manage ?? sgs === undefined,
    attributes: sortedAttributes(s.lbAttributes),
    tags: Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** Builds the Stack from accepted members (in precedence order) and their merged settings. */
export function assembleStack(
  groupId: string,
  models: readonly MemberModel[],
  settings: GroupSettings,
  options: ResolvedOptions,
): Stack {
  const { groups, renames } = dedupeTargetGroups(models);
  const placed: PlacedRoute[] = [];
  models.forEach((m, i) => {
    const ports = new Set(m.settings.ports.map((p) => p.port));
    for (const route of m.routes.routes) placed.push({ route, memberIndex: i, source: refKey(m.member.ref), ports });
  });
  placed.sort(compareRoutes);
  const sslRedirect = settings.exclusive.get('sslRedirect')?.value as number | undefined;
  const defaultIndex = models.findIndex((m) => m.routes.defaultAction !== undefined);
  const used = new Set<string>();
  const listeners: ListenerSpec[] = [];
  for (const [port, owned] of [...settings.ports.entries()].sort(([a], [b]) => a - b)) {
    const https = owned.value === 'HTTPS';
    let rules: RuleSpec[] = [];
    let defaultActions: Action[] = [NOT_FOUND];
    if (!https && sslRedirect !== undefined) {
      defaultActions = [{ type: 'redirect', protocol: 'HTTPS', port: String(sslRedirect), statusCode: 'HTTP_301' }];
    } else {
      for (const p of placed) {
        if (!p.ports.has(port)) continue;
        const rename = (id: string) => renames[p.memberIndex]?.get(id) ?? id;
        rules.push({
          priority: rules.length + 1,
          conditions: p.route.conditions,
          actions: actionsFor(p.route.action, https, rename),
          ...(p.route.action.transforms === undefined ? {} : { transforms: p.route.action.transforms }),
          sources: [p.source],
        });
      }
      const dm = models[defaultIndex];
      const da = dm?.routes.defaultAction;
      if (dm !== undefined && da !== undefined && dm.settings.ports.some((p) => p.port === port)) {
        defaultActions = actionsFor(da, https, (id) => renames[defaultIndex]?.get(id) ?? id);
      }
      if (options.rulePacking) rules = packRules(rules);
    }
    for (const a of [...defaultActions, ...rules.flatMap((r) => r.actions)]) {
      if (a.type === 'forward') for (const g of a.targetGroups) used.add(g.targetGroupId);
    }
    const certificates: CertificateRef[] = [];
    const seen = new Set<string>();
    if (https) {
      for (const m of models) {
        if (!m.settings.ports.some((p) => p.port === port)) continue;
        for (const c of m.certificates) {
          const k = canonicalJson(c);
          if (!seen.has(k)) certificates.push(c);
          seen.add(k);
        }
      }
    }
    const [first, ...rest] = certificates;
    listeners.push({
      port,
      protocol: owned.value,
      ...(https ? { sslPolicy: settings.sslPolicies.get(port)?.value ?? options.defaults.sslPolicy } : {}),
      // The default certificate is the first of the first member that has one; the rest are sorted for stable output.
      certificates:
        first === undefined ? [] : [first, ...rest.sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1))],
      defaultActions,
      rules,
      attributes: sortedAttributes(settings.listenerAttributes, (k) => {
        const [listener, key] = k.split('|', 2);
        return listener === `${owned.value}:${port}` ? key : undefined;
      }),
    });
  }
  const targetGroups = [...groups.values()]
    .filter((g) => used.has(g.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { id: groupId, loadBalancer: loadBalancer(groupId, settings, options), listeners, targetGroups };
}
