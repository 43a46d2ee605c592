import type { Action, ForwardAction, RedirectAction } from '../model/stack.ts';
import { terminalAction } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { report } from './render-context.ts';
import type { RenderContext } from './render-context.ts';
import { ALB_METADATA_KEY } from './type-urls.ts';

/**
 * The action half of an Envoy Route for an ALB rule's actions (docs/envoy-mapping.md, "Actions").
 * Returns the Route fields besides `name` and `match`.
 */

const PLACEHOLDER = /#\{[a-z]+\}/;
const TEXT_PLAIN = 'text/plain; charset=utf-8';

function contentType(value: string): JsonObject[] {
  return [{ header: { key: 'content-type', value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }];
}

function serviceUnavailable(): JsonObject {
  return { direct_response: { status: 503 } };
}

function renderForward(ctx: RenderContext, action: ForwardAction, field: string): JsonObject {
  const clusters: JsonObject[] = [];
  for (const [i, wtg] of action.targetGroups.entries()) {
    const tg = ctx.targetGroups.get(wtg.targetGroupId);
    if (tg === undefined) {
      report(
        ctx,
        'UnknownTargetGroup',
        `${field}.targetGroups[${i}]`,
        `target group ${JSON.stringify(wtg.targetGroupId)} is not in the stack`,
      );
      return serviceUnavailable();
    }
    clusters.push({ name: tg.name, weight: wtg.weight });
  }
  const [only] = clusters;
  if (only === undefined) return serviceUnavailable();
  // Envoy rejects a zero weight sum; ALB sends nothing anywhere, so answer as an empty group would.
  if (clusters.length > 1 && action.targetGroups.every((t) => t.weight === 0)) return serviceUnavailable();
  // ALB has no per-request deadline; the idle timeout (HCM stream_idle_timeout) is the only limit.
  const route: JsonObject =
    clusters.length === 1
      ? { cluster: only['name'] ?? '', timeout: '0s' }
      : { weighted_clusters: { clusters }, timeout: '0s' };
  const sticky = action.stickiness?.enabled === true;
  return {
    route,
    ...(sticky
      ? {
          metadata: {
            filter_metadata: {
              [ALB_METADATA_KEY]: {
                target_group_stickiness: {
                  enabled: true,
                  duration_seconds: action.stickiness?.durationSeconds ?? 3600,
                },
              },
            },
          },
        }
      : {}),
  };
}

interface RedirectTemplate {
  readonly protocol: string;
  readonly port: string;
  readonly host: string;
  readonly path: string;
  readonly query: string;
}

function redirectTemplate(action: RedirectAction): RedirectTemplate {
  return {
    protocol: action.protocol ?? '#{protocol}',
    port: action.port ?? '#{port}',
    host: action.host ?? '#{host}',
    path: action.path ?? '/#{path}',
    query: action.query ?? '#{query}',
  };
}

/** Envoy RedirectAction fields for the template, and whether they say exactly what ALB would do. */
function envoyRedirect(t: RedirectTemplate): {
  readonly fields: Record<string, string | number | boolean | JsonObject>;
  readonly exact: boolean;
} {
  const fields: Record<string, string | number | boolean | JsonObject> = {};
  let exact = true;
  const protocol = t.protocol.toUpperCase();
  if (protocol === 'HTTP' || protocol === 'HTTPS') fields['scheme_redirect'] = protocol.toLowerCase();
  else if (t.protocol !== '#{protocol}') exact = false;
  if (/^\d+$/.test(t.port)) fields['port_redirect'] = Number(t.port);
  else if (t.port !== '#{port}') exact = false;
  if (!PLACEHOLDER.test(t.host)) fields['host_redirect'] = t.host;
  else if (t.host !== '#{host}') exact = false;
  const literalQuery = !PLACEHOLDER.test(t.query) && t.query !== '';
  if (t.query === '') fields['strip_query'] = true;
  else if (!literalQuery && t.query !== '#{query}') exact = false;
  if (!PLACEHOLDER.test(t.path)) {
    fields['path_redirect'] = literalQuery ? `${t.path}?${t.query}` : t.path;
    return { fields, exact };
  }
  if (literalQuery) exact = false;
  if (t.path === '/#{path}') return { fields, exact };
  const onlyPath = t.path.replace(/#\{path\}/g, '');
  if (PLACEHOLDER.test(onlyPath)) return { fields, exact: false };
  // `#{path}` is the original path without its leading slash: capture it once, anchored.
  const substitution = t.path
    .split('#{path}')
    .map((part) => part.replace(/\\/g, '\\\\'))
    .join('\\1');
  fields['regex_rewrite'] = { pattern: { regex: '^/?(.*)$' }, substitution };
  return { fields, exact };
}

function renderRedirect(action: RedirectAction): JsonObject {
  const template = redirectTemplate(action);
  const { fields, exact } = envoyRedirect(template);
  const redirect = { ...fields, response_code: action.statusCode === 'HTTP_302' ? 'FOUND' : 'MOVED_PERMANENTLY' };
  if (exact) return { redirect };
  return { redirect, metadata: { filter_metadata: { [ALB_METADATA_KEY]: { redirect: { ...template } } } } };
}

function renderFixed(
  ctx: RenderContext,
  action: Extract<Action, { type: 'fixed-response' }>,
  field: string,
): JsonObject {
  const status = Number(action.statusCode);
  if (!/^[2-5]\d\d$/.test(action.statusCode)) {
    report(
      ctx,
      'InvalidAction',
      `${field}.statusCode`,
      `must be a 2XX, 4XX or 5XX status code, got ${JSON.stringify(action.statusCode)}`,
    );
    return serviceUnavailable();
  }
  const body = action.messageBody === undefined ? {} : { body: { inline_string: action.messageBody } };
  return {
    direct_response: { status, ...body },
    ...(action.contentType !== undefined ? { response_headers_to_add: contentType(action.contentType) } : {}),
  };
}

/** Route fields for the actions of a rule (or a listener's default actions) at `field`. */
export function renderActions(ctx: RenderContext, actions: readonly Action[], field: string): JsonObject {
  const auth = actions.find((a) => a.type === 'authenticate-oidc' || a.type === 'authenticate-cognito');
  if (auth !== undefined) {
    return {
      direct_response: {
        status: 501,
        body: {
          inline_string: `Portico: the ${auth.type} action is not supported by the local data plane; it runs on AWS only.\n`,
        },
      },
      response_headers_to_add: contentType(TEXT_PLAIN),
    };
  }
  const terminal = terminalAction(actions);
  if (terminal === undefined) {
    report(ctx, 'InvalidAction', field, 'has no forward, redirect or fixed-response action');
    return serviceUnavailable();
  }
  const at = `${field}[${actions.indexOf(terminal)}]`;
  switch (terminal.type) {
    case 'forward':
      return renderForward(ctx, terminal, at);
    case 'redirect':
      return renderRedirect(terminal);
    case 'fixed-response':
      return renderFixed(ctx, terminal, at);
  }
}
