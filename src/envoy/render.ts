import { sortDiagnostics } from '../model/diagnostic.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Stack } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { renderCluster } from './render-cluster.ts';
import { renderContext } from './render-context.ts';
import { renderClusterLoadAssignment } from './render-endpoint.ts';
import { renderListener } from './render-listener.ts';
import { resolveRenderOptions } from './render-options.ts';
import type { RenderOptions } from './render-options.ts';

/**
 * Stack → Envoy v3 resources. Pure and deterministic: the same stacks and options always give the
 * same resources in the same order (each kind sorted by name), so rendering twice gives identical
 * bytes. Bad input becomes diagnostics; the rest still renders.
 */

/** Envoy resources by kind, each list sorted by name. */
export interface EnvoyResources {
  readonly listeners: readonly JsonObject[];
  /** RouteConfigurations (ADS mode; inlined into listeners in static mode). */
  readonly routes: readonly JsonObject[];
  readonly clusters: readonly JsonObject[];
  /** ClusterLoadAssignments (ADS mode; inlined into clusters in static mode). */
  readonly endpoints: readonly JsonObject[];
  /** Secrets (ADS mode; inlined into listeners in static mode). */
  readonly secrets: readonly JsonObject[];
}

export interface RenderResult {
  readonly resources: EnvoyResources;
  readonly diagnostics: readonly Diagnostic[];
}

function byName(key: 'name' | 'cluster_name') {
  return (a: JsonObject, b: JsonObject): number => {
    const x = String(a[key]);
    const y = String(b[key]);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function uniqueBy(items: readonly JsonObject[], key: 'name' | 'cluster_name'): JsonObject[] {
  const seen = new Map<string, JsonObject>();
  for (const item of items) if (!seen.has(String(item[key]))) seen.set(String(item[key]), item);
  return [...seen.values()].sort(byName(key));
}

function uniqueDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return sortDiagnostics(diagnostics).filter((d) => {
    const key = JSON.stringify(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Renders several stacks into one set of resources (one proxy serving several load balancers). */
export function renderStacks(stacks: readonly Stack[], options: RenderOptions = {}): RenderResult {
  const resolved = resolveRenderOptions(options);
  const listeners: JsonObject[] = [];
  const routes: JsonObject[] = [];
  const clusters: JsonObject[] = [];
  const endpoints: JsonObject[] = [];
  const secrets: JsonObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const stack of stacks) {
    const ctx = renderContext(stack, resolved);
    for (const [i, listener] of stack.listeners.entries()) {
      const rendered = renderListener(ctx, listener, i);
      if (rendered === undefined) continue;
      listeners.push(rendered.listener);
      routes.push(...rendered.routes);
      secrets.push(...rendered.secrets);
    }
    for (const [i, tg] of stack.targetGroups.entries()) {
      clusters.push(renderCluster(ctx, tg, i));
      if (resolved.mode === 'ads') endpoints.push(renderClusterLoadAssignment(ctx, tg, i));
    }
    diagnostics.push(...ctx.diagnostics);
  }
  return {
    resources: {
      listeners: uniqueBy(listeners, 'name'),
      routes: uniqueBy(routes, 'name'),
      clusters: uniqueBy(clusters, 'name'),
      endpoints: uniqueBy(endpoints, 'cluster_name'),
      secrets: uniqueBy(secrets, 'name'),
    },
    diagnostics: uniqueDiagnostics(diagnostics),
  };
}

/** Renders one stack. */
export function renderStack(stack: Stack, options: RenderOptions = {}): RenderResult {
  return renderStacks([stack], options);
}
