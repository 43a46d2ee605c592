import { diagnostic } from '../model/diagnostic.ts';
import type { ObjectRef } from '../model/diagnostic.ts';
import type { AuthenticateAction, Condition, TerminalAction, Transform, WeightedTargetGroup } from '../model/stack.ts';
import { ALB_LIMITS } from '../model/stack.ts';
import { ruleValueCount, ruleWildcardCount } from '../model/quotas.ts';
import { parseAction, parseConditions, parseTransforms } from './actions.ts';
import { AnnotationReader, KEY } from './annotations.ts';
import { authAction } from './auth.ts';
import { backendReader, resolveServiceBackend } from './backends.ts';
import type { BackendContext, TargetGroupCandidate } from './backends.ts';
import { translateHost, translatePath } from './paths.ts';
import type { HostRank, PathRank } from './paths.ts';
import type { IngressBackend } from './types.ts';

/**
 * One member's paths → routes (conditions + what to do), each with the facts the group-wide
 * ordering sorts by. Backends resolve to target groups; a missing Service or action answers 503.
 */

export interface RouteAction {
  /** Applied on HTTPS listeners only. */
  readonly auth?: AuthenticateAction;
  readonly terminal: TerminalAction;
  readonly transforms?: readonly Transform[];
}

export interface Route {
  readonly hostRank: HostRank;
  /** Lowercase host, '' when none. */
  readonly host: string;
  readonly pathRank: PathRank;
  readonly pathLength: number;
  readonly tieBreak: number;
  readonly ruleIndex: number;
  readonly pathIndex: number;
  readonly conditions: readonly Condition[];
  readonly action: RouteAction;
}

export interface MemberRoutes {
  readonly routes: readonly Route[];
  readonly defaultAction?: RouteAction;
  readonly targetGroups: readonly TargetGroupCandidate[];
}

const USE_ANNOTATION = 'use-annotation';

function fixed503(message: string): TerminalAction {
  return { type: 'fixed-response', statusCode: '503', contentType: 'text/plain', messageBody: message };
}

/** Resolves a backend to an action, collecting the target groups it needs. */
function backendAction(
  ctx: BackendContext,
  reader: AnnotationReader,
  b: IngressBackend,
  field: string,
  tgs: TargetGroupCandidate[],
): RouteAction | undefined {
  const ref: ObjectRef = {
    kind: 'Ingress',
    namespace: ctx.ingress.metadata.namespace,
    name: ctx.ingress.metadata.name,
  };
  if (b.kind === 'resource') {
    ctx.diagnostics.push(
      diagnostic(
        'InvalidBackend',
        ref,
        field,
        `resource backends (${b.resourceKind} ${b.name}) cannot be served by an ALB`,
      ),
    );
    return undefined;
  }
  const name = b.service.name;
  let terminal: TerminalAction | undefined;
  let forwardedServices: string[] = [];
  if (b.service.port.kind === 'name' && b.service.port.name === USE_ANNOTATION) {
    const key = `${KEY.actionsPrefix}${name}`;
    const json = reader.json(key);
    if (reader.lookup(key) === undefined) {
      ctx.diagnostics.push(
        diagnostic(
          'ActionNotFound',
          ref,
          field,
          `backend uses annotation ${reader.prefix}${key}, which is not set; answering 503`,
          'Warning',
        ),
      );
      terminal = fixed503('Backend action does not exist');
    } else if (json !== undefined) {
      const parsed = parseAction(json);
      if ('error' in parsed) {
        reader.error(key, parsed.error);
        return undefined;
      }
      const a = parsed.value;
      if (a.type !== 'forward') terminal = a;
      else if (a.external.length > 0) {
        reader.warn(
          key,
          'forwarding to target groups Portico does not manage (targetGroupARN/targetGroupName) is not implemented yet; answering 503',
        );
        terminal = fixed503('Backend target group is not supported');
      } else {
        const groups: WeightedTargetGroup[] = [];
        for (const s of a.services) {
          const res = resolveServiceBackend(ctx, s.service, s.port, `${reader.fieldOf(key)}.forwardConfig`);
          if (res.kind === 'invalid') return undefined;
          if (res.kind === 'missingService') {
            reader.error(
              key,
              `forwardConfig names Service ${ctx.ingress.metadata.namespace}/${s.service}, which does not exist`,
              'InvalidBackend',
            );
            return undefined;
          }
          tgs.push(res.candidate);
          groups.push({ targetGroupId: res.candidate.spec.id, weight: s.weight });
        }
        forwardedServices = a.services.map((s) => s.service);
        terminal = {
          type: 'forward',
          targetGroups: groups,
          ...(a.stickiness === undefined ? {} : { stickiness: a.stickiness }),
        };
      }
    } else return undefined;
  } else {
    const res = resolveServiceBackend(ctx, name, b.service.port, field);
    if (res.kind === 'invalid') return undefined;
    if (res.kind === 'missingService') {
      ctx.diagnostics.push(
        diagnostic(
          'ServiceNotFound',
          ref,
          field,
          `Service ${ctx.ingress.metadata.namespace}/${name} does not exist; answering 503`,
          'Warning',
        ),
      );
      terminal = fixed503('Backend service does not exist');
    } else {
      tgs.push(res.candidate);
      forwardedServices = [name];
      terminal = { type: 'forward', targetGroups: [{ targetGroupId: res.candidate.spec.id, weight: 1 }] };
    }
  }
  // Service-side auth annotations count only when the rule forwards to exactly one Service.
  const single =
    forwardedServices.length === 1
      ? ctx.index.service(ctx.ingress.metadata.namespace, forwardedServices[0] ?? '')
      : undefined;
  const before = ctx.diagnostics.length;
  const authKey = `auth|${single === undefined ? '' : `${single.metadata.namespace}/${single.metadata.name}`}|${ctx.ingress.metadata.namespace}/${ctx.ingress.metadata.name}`;
  let auth = ctx.index.memo.get(authKey) as AuthenticateAction | null | undefined;
  if (auth === undefined) {
    auth = authAction(backendReader(ctx, single), ctx.ingress.metadata.namespace) ?? null;
    if (ctx.diagnostics.length > before) return undefined;
    ctx.index.memo.set(authKey, auth);
  }
  let transforms: Transform[] | undefined;
  const tkey = `${KEY.transformsPrefix}${name}`;
  const tjson = reader.json(tkey);
  if (tjson !== undefined) {
    const parsed = parseTransforms(tjson);
    if ('error' in parsed) {
      reader.error(tkey, parsed.error);
      return undefined;
    }
    transforms = parsed.value;
  }
  return { ...(auth === null ? {} : { auth }), terminal, ...(transforms === undefined ? {} : { transforms }) };
}

/** Adds `conditions.*` extras: host and path values join the Ingress's own condition (OR); others are ANDed. */
function withExtras(base: Condition[], extras: readonly Condition[]): Condition[] | string {
  const out = [...base];
  for (const e of extras) {
    const i = e.field === 'host-header' || e.field === 'path-pattern' ? out.findIndex((c) => c.field === e.field) : -1;
    const existing = out[i];
    if (existing === undefined || (existing.field !== 'host-header' && existing.field !== 'path-pattern')) {
      out.push(e);
      continue;
    }
    const extra = e as typeof existing;
    const regex = [...(existing.regexValues ?? []), ...(extra.regexValues ?? [])];
    const values = [...existing.values, ...extra.values];
    if (regex.length > 0 && values.length > 0) return `${e.field} values and regexValues cannot be mixed in one rule`;
    out[i] = regex.length > 0 ? { ...existing, values: [], regexValues: regex } : { ...existing, values };
  }
  return out;
}

/** Builds the routes of one member; problems are Errors in `ctx.diagnostics`. */
export function memberRoutes(ctx: BackendContext, useRegex: boolean): MemberRoutes {
  const ing = ctx.ingress;
  const ref: ObjectRef = { kind: 'Ingress', namespace: ing.metadata.namespace, name: ing.metadata.name };
  const reader = new AnnotationReader(
    ctx.options.annotationPrefix,
    [{ object: ref, annotations: ing.metadata.annotations }],
    ctx.diagnostics,
  );
  const tgs: TargetGroupCandidate[] = [];
  const routes: Route[] = [];
  const extrasCache = new Map<string, readonly Condition[] | undefined>();
  const extrasFor = (name: string): readonly Condition[] | undefined => {
    if (extrasCache.has(name)) return extrasCache.get(name);
    const key = `${KEY.conditionsPrefix}${name}`;
    const json = reader.json(key);
    let result: readonly Condition[] | undefined = [];
    if (json !== undefined) {
      const parsed = parseConditions(json);
      if ('error' in parsed) {
        reader.error(key, parsed.error);
        result = undefined;
      } else result = parsed.value;
    } else if (reader.lookup(key) !== undefined) result = undefined;
    extrasCache.set(name, result);
    return result;
  };
  for (const [ri, rule] of ing.spec.rules.entries()) {
    const host = translateHost(rule.host);
    if ('error' in host) {
      ctx.diagnostics.push(
        diagnostic('InvalidHost', ref, `spec.rules[${ri}].host`, `${JSON.stringify(rule.host)} ${host.error}`),
      );
      continue;
    }
    for (const [pi, p] of rule.paths.entries()) {
      const field = `spec.rules[${ri}].http.paths[${pi}]`;
      const path = translatePath(p, useRegex);
      if ('error' in path) {
        ctx.diagnostics.push(
          diagnostic('InvalidPath', ref, `${field}.path`, `${JSON.stringify(p.path ?? '')} ${path.error}`),
        );
        continue;
      }
      const action = backendAction(ctx, reader, p.backend, `${field}.backend`, tgs);
      const extras = p.backend.kind === 'service' ? extrasFor(p.backend.service.name) : [];
      if (action === undefined || extras === undefined) continue;
      const base: Condition[] = [];
      if (host.condition !== undefined) base.push(host.condition);
      if (path.match.condition !== undefined) base.push(path.match.condition);
      const merged = withExtras(base, extras);
      if (typeof merged === 'string') {
        ctx.diagnostics.push(diagnostic('InvalidCondition', ref, field, merged));
        continue;
      }
      // ALB needs at least one condition per rule; a rule with none matches every path.
      const conditions: Condition[] = merged.length > 0 ? merged : [{ field: 'path-pattern', values: ['/*'] }];
      const probe = { priority: 1, conditions, actions: [], sources: [] };
      const values = ruleValueCount(probe);
      const wildcards = ruleWildcardCount(probe);
      if (values > ALB_LIMITS.conditionValuesPerRule || wildcards > ALB_LIMITS.wildcardsPerRule) {
        ctx.diagnostics.push(
          diagnostic(
            'TooManyConditionValues',
            ref,
            field,
            `this path needs ${values} condition values and ${wildcards} wildcards; an ALB rule takes at most ${ALB_LIMITS.conditionValuesPerRule} of each`,
          ),
        );
        continue;
      }
      routes.push({
        hostRank: host.rank,
        host: rule.host?.toLowerCase() ?? '',
        pathRank: path.match.rank,
        pathLength: path.match.length,
        tieBreak: path.match.tieBreak,
        ruleIndex: ri,
        pathIndex: pi,
        conditions,
        action,
      });
    }
  }
  const db = ing.spec.defaultBackend;
  const defaultAction = db === undefined ? undefined : backendAction(ctx, reader, db, 'spec.defaultBackend', tgs);
  return { routes, ...(defaultAction === undefined ? {} : { defaultAction }), targetGroups: tgs };
}
