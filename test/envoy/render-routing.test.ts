import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { renderStack } from '../../src/envoy/render.ts';
import type { JsonObject } from '../../src/envoy/json.ts';
import { route } from '../../src/model/route.ts';
import { arbRequest, arbStack } from './support/arbitrary.ts';
import { envoyRouteName } from './support/envoy-route.ts';

/**
 * The rendered config routes like an ALB: for random stacks × random requests, the route Envoy's
 * documented semantics pick (filter chain by longest source prefix, first matching route, regexes
 * run by RE2 itself) is the rule the routing oracle picks.
 */

test('rendered routes pick the same rule as the ALB routing oracle', () => {
  fc.assert(
    fc.property(arbStack, fc.array(arbRequest, { minLength: 5, maxLength: 15 }), (stack, requests) => {
      const { resources } = renderStack(stack);
      const routes = new Map(resources.routes.map((r) => [String(r['name']), r]));
      for (const listener of stack.listeners) {
        const rendered = resources.listeners.find((l) => String(l['name']).endsWith(`/${listener.port}`)) as JsonObject;
        for (const req of requests) {
          const decision = route(stack, listener.port, req);
          const expected = decision.kind === 'rule' ? `rule-${decision.rule.priority}` : 'default';
          assert.equal(envoyRouteName(rendered, routes, req), expected, JSON.stringify({ req, rules: listener.rules }));
        }
      }
    }),
    { numRuns: 150 },
  );
});
