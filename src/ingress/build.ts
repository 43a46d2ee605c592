import { diagnostic, hasErrors } from '../model/diagnostic.ts';
import type { Diagnostic, ObjectRef } from '../model/diagnostic.ts';
import { ALB_LIMITS } from '../model/stack.ts';
import type { Stack } from '../model/stack.ts';
import { assembleStack } from './assemble.ts';
import { memberCertificates } from './certificates.ts';
import type { IngressGroup } from './groups.ts';
import { mergeMembers } from './merge.ts';
import type { MemberModel } from './merge.ts';
import { memberRoutes } from './member-routes.ts';
import { readMemberSettings } from './member-settings.ts';
import type { ResolvedOptions } from './options.ts';
import { indexSnapshot } from './snapshot-index.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import type { CertificateCatalog, ClusterSnapshot, IngressRef } from './types.ts';
import { refKey } from './types.ts';

/**
 * One IngressGroup → one Stack, with fault isolation: each member is built on its own and left
 * out when it has errors; members that conflict with earlier ones are left out; if the result
 * exceeds ALB quotas, members are dropped lowest precedence first until it fits.
 */

export interface BuiltGroup {
  readonly stack?: Stack;
  readonly diagnostics: Diagnostic[];
  readonly members: IngressRef[];
  readonly excluded: IngressRef[];
}

function groupRef(id: string): ObjectRef {
  return { kind: 'IngressGroup', name: id };
}

function buildMember(
  m: IngressGroup['members'][number],
  group: IngressGroup,
  index: SnapshotIndex,
  catalog: CertificateCatalog,
  options: ResolvedOptions,
): { model?: MemberModel; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [...m.problems];
  const settings = readMemberSettings(m, options.annotationPrefix, diagnostics);
  const routes = memberRoutes(
    { index, options, groupId: group.id, ingress: m.ingress, params: m.params, diagnostics },
    settings.useRegexPathMatch,
  );
  const https = settings.ports.some((p) => p.protocol === 'HTTPS');
  const certificates = https
    ? memberCertificates(m.ingress, settings.certificateArns, index, catalog, options.now, diagnostics)
    : [];
  if (https && certificates.length === 0 && !hasErrors(diagnostics)) {
    diagnostics.push(
      diagnostic(
        'CertificateNotFound',
        { kind: 'Ingress', namespace: m.ref.namespace, name: m.ref.name },
        `metadata.annotations[${options.annotationPrefix}listen-ports]`,
        'an HTTPS listener needs a certificate: set certificate-arn, spec.tls, or hosts that ACM certificates cover',
      ),
    );
  }
  const authed = [...routes.routes.map((r) => r.action), routes.defaultAction].some((a) => a?.auth !== undefined);
  const plainHttp = settings.ports.filter((p) => p.protocol === 'HTTP');
  if (authed && plainHttp.length > 0 && settings.sslRedirect === undefined) {
    diagnostics.push(
      diagnostic(
        'AuthenticationNotOnHttp',
        { kind: 'Ingress', namespace: m.ref.namespace, name: m.ref.name },
        `metadata.annotations[${options.annotationPrefix}auth-type]`,
        `ALB authenticates on HTTPS listeners only; HTTP:${plainHttp.map((p) => p.port).join(', HTTP:')} serves these paths without authentication (set ssl-redirect)`,
        'Warning',
      ),
    );
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  return { model: { member: m, settings, routes, certificates, targetGroups: routes.targetGroups }, diagnostics };
}

/** What about `stack` ALB would refuse for capacity; dropping members is the remedy. */
function capacityProblem(stack: Stack): string | undefined {
  const rules = stack.listeners.reduce((n, l) => n + l.rules.length, 0);
  if (rules > ALB_LIMITS.rulesPerLoadBalancer) return `${rules} rules (ALB allows ${ALB_LIMITS.rulesPerLoadBalancer})`;
  if (stack.targetGroups.length > ALB_LIMITS.targetGroupsPerLoadBalancer) {
    return `${stack.targetGroups.length} target groups (ALB allows ${ALB_LIMITS.targetGroupsPerLoadBalancer})`;
  }
  if (stack.listeners.length > ALB_LIMITS.listenersPerLoadBalancer) {
    return `${stack.listeners.length} listeners (ALB allows ${ALB_LIMITS.listenersPerLoadBalancer})`;
  }
  const extra = new Set<string>();
  for (const l of stack.listeners)
    for (const c of l.certificates.slice(1)) extra.add(c.kind === 'acm' ? c.arn : `${c.namespace}/${c.name}`);
  if (extra.size > ALB_LIMITS.certificatesPerLoadBalancer) {
    return `${extra.size} certificates besides the defaults (ALB allows ${ALB_LIMITS.certificatesPerLoadBalancer})`;
  }
  return undefined;
}

function build(group: IngressGroup, models: readonly MemberModel[], options: ResolvedOptions) {
  const merged = mergeMembers(models, options.annotationPrefix);
  return { merged, stack: assembleStack(group.id, merged.accepted, merged.settings, options) };
}

/** `index` may be shared by every group of one translation (it memoises targets per Service port). */
export function buildGroup(
  snapshot: ClusterSnapshot,
  group: IngressGroup,
  catalog: CertificateCatalog,
  options: ResolvedOptions,
  index: SnapshotIndex = indexSnapshot(snapshot),
): BuiltGroup {
  const diagnostics: Diagnostic[] = [];
  const excluded: IngressRef[] = [];
  const models: MemberModel[] = [];
  for (const m of group.members) {
    const built = buildMember(m, group, index, catalog, options);
    diagnostics.push(...built.diagnostics);
    if (built.model === undefined) excluded.push(m.ref);
    else models.push(built.model);
  }
  if (models.length === 0) return { diagnostics, members: [], excluded };

  let { merged, stack } = build(group, models, options);
  const problem = capacityProblem(stack);
  if (problem !== undefined) {
    // Members only ever add rules, target groups and certificates, so the largest prefix that fits
    // is found by bisection over the accepted members, in precedence order.
    const accepted = merged.accepted;
    let lo = 0;
    let hi = accepted.length - 1;
    let best: ReturnType<typeof build> | undefined;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const attempt = build(group, accepted.slice(0, mid), options);
      if (capacityProblem(attempt.stack) === undefined) {
        lo = mid;
        best = attempt;
      } else hi = mid - 1;
    }
    const kept = lo;
    for (const m of accepted.slice(kept)) {
      excluded.push(m.member.ref);
      diagnostics.push(
        diagnostic(
          'QuotaExceeded',
          { kind: 'Ingress', namespace: m.member.ref.namespace, name: m.member.ref.name },
          'spec.rules',
          `left out of group ${group.id}: with every member the load balancer would need ${problem}; members are dropped lowest precedence first (group.order, then namespace/name)`,
        ),
      );
    }
    diagnostics.push(
      diagnostic(
        'QuotaExceeded',
        groupRef(group.id),
        'members',
        `the group would need ${problem}; kept the first ${kept} of ${accepted.length} members`,
        'Warning',
      ),
    );
    if (best === undefined || kept === 0) {
      for (const r of merged.rejected) {
        diagnostics.push(...r.diagnostics);
        excluded.push(r.model.member.ref);
      }
      return { diagnostics, members: [], excluded: sortRefs(excluded) };
    }
    const rejected = merged.rejected;
    merged = { ...best.merged, rejected: [...rejected, ...best.merged.rejected] };
    stack = best.stack;
  }
  for (const r of merged.rejected) {
    diagnostics.push(...r.diagnostics);
    excluded.push(r.model.member.ref);
  }
  const sslRedirect = merged.settings.exclusive.get('sslRedirect');
  if (sslRedirect !== undefined && merged.settings.ports.get(sslRedirect.value as number)?.value !== 'HTTPS') {
    diagnostics.push(
      diagnostic(
        'InvalidAnnotation',
        groupRef(group.id),
        `metadata.annotations[${options.annotationPrefix}ssl-redirect]`,
        `ssl-redirect (from ${sslRedirect.by}) points at port ${String(sslRedirect.value)}, which is not an HTTPS listener of the group`,
        'Warning',
      ),
    );
  }
  return { stack, diagnostics, members: merged.accepted.map((m) => m.member.ref), excluded: sortRefs(excluded) };
}

function sortRefs(refs: IngressRef[]): IngressRef[] {
  const seen = new Set<string>();
  return refs
    .filter((r) => (seen.has(refKey(r)) ? false : (seen.add(refKey(r)), true)))
    .sort((a, b) => (refKey(a) < refKey(b) ? -1 : 1));
}
