import type { Action, ListenerSpec, RuleSpec, Stack } from './stack.ts';
import { conditionMatches } from './match.ts';
import type { RouteRequest } from './match.ts';

/**
 * The routing oracle: which rule an ALB picks for a request (reference/elbv2.md §5.1). Rules are
 * tried by ascending priority; the first whose conditions all match wins; the default rule matches
 * everything else. The proxy must agree with this function on every request.
 */
export type RouteDecision =
  | {
      readonly kind: 'rule';
      readonly listener: ListenerSpec;
      readonly rule: RuleSpec;
      readonly actions: readonly Action[];
    }
  | { readonly kind: 'default'; readonly listener: ListenerSpec; readonly actions: readonly Action[] }
  | { readonly kind: 'no-listener' };

export function ruleMatches(rule: RuleSpec, request: RouteRequest): boolean {
  return rule.conditions.every((c) => conditionMatches(c, request));
}

/** Picks the rule of `listener` for `request`; `listener.rules` need not be sorted. */
export function routeListener(listener: ListenerSpec, request: RouteRequest): RouteDecision {
  let best: RuleSpec | undefined;
  for (const rule of listener.rules) {
    if ((best === undefined || rule.priority < best.priority) && ruleMatches(rule, request)) best = rule;
  }
  if (best !== undefined) return { kind: 'rule', listener, rule: best, actions: best.actions };
  return { kind: 'default', listener, actions: listener.defaultActions };
}

export function route(stack: Stack, port: number, request: RouteRequest): RouteDecision {
  const listener = stack.listeners.find((l) => l.port === port);
  if (listener === undefined) return { kind: 'no-listener' };
  return routeListener(listener, request);
}

export type { RouteRequest } from './match.ts';
