import type { ListenerSpec } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { renderActions } from './render-action.ts';
import { attribute, report } from './render-context.ts';
import type { RenderContext } from './render-context.ts';
import { renderRouteMatch } from './render-match.ts';
import { ruleInRegion } from './render-source.ts';
import type { SourceCidr } from './render-source.ts';

/**
 * RouteConfiguration: one catch-all VirtualHost whose routes are the ALB rules in priority order and
 * the default action last. ALB priority is global across hosts, so host conditions are header
 * matchers and Envoy's first match in list equals ALB's lowest matching priority.
 */

/** Name of the listener (and its main RouteConfiguration): `<lb name>/<ALB port>`. */
export function listenerName(ctx: RenderContext, listener: ListenerSpec): string {
  return `${ctx.stack.loadBalancer.name}/${listener.port}`;
}

/** Name of the RouteConfiguration serving one source region (undefined: no source range). */
export function routeConfigName(ctx: RenderContext, listener: ListenerSpec, region: SourceCidr | undefined): string {
  const base = listenerName(ctx, listener);
  return region === undefined ? base : `${base}/src=${region.cidr}`;
}

/** The XFF mode of the load balancer (`routing.http.xff_header_processing.mode`). */
export function xffMode(ctx: RenderContext): 'append' | 'preserve' | 'remove' {
  const mode = attribute(ctx.stack.loadBalancer.attributes, 'routing.http.xff_header_processing.mode') ?? 'append';
  if (mode === 'append' || mode === 'preserve' || mode === 'remove') return mode;
  report(
    ctx,
    'InvalidAttribute',
    'loadBalancer.attributes[routing.http.xff_header_processing.mode]',
    `must be append, preserve or remove, got ${JSON.stringify(mode)}`,
  );
  return 'append';
}

export function renderRouteConfiguration(
  ctx: RenderContext,
  listener: ListenerSpec,
  listenerIndex: number,
  region: SourceCidr | undefined,
): JsonObject {
  const at = `listeners[${listenerIndex}]`;
  const rules = [...listener.rules].sort((a, b) => a.priority - b.priority);
  const routes: JsonObject[] = [];
  for (const rule of rules) {
    if (!ruleInRegion(rule, region)) continue;
    const index = listener.rules.indexOf(rule);
    if (rule.transforms !== undefined && rule.transforms.length > 0 && region === undefined) {
      report(
        ctx,
        'TransformNotRendered',
        `${at}.rules[${index}].transforms`,
        'transforms are not rendered to Envoy yet; matching requests are forwarded unchanged',
        'Warning',
      );
    }
    routes.push({
      name: `rule-${rule.priority}`,
      match: renderRouteMatch(rule.conditions),
      ...renderActions(ctx, rule.actions, `${at}.rules[${index}].actions`),
    });
  }
  routes.push({
    name: 'default',
    match: { prefix: '/' },
    ...renderActions(ctx, listener.defaultActions, `${at}.defaultActions`),
  });
  return {
    name: routeConfigName(ctx, listener, region),
    // Routes are not warmed in Envoy; clusters always arrive first (CDS before RDS), so no check.
    validate_clusters: false,
    ...(xffMode(ctx) === 'remove' ? { request_headers_to_remove: ['x-forwarded-for'] } : {}),
    virtual_hosts: [{ name: 'alb', domains: ['*'], routes }],
  };
}
