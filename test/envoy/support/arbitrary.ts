import fc from 'fast-check';
import type { RouteRequest } from '../../../src/model/match.ts';
import type { Action, Condition, ListenerSpec, RuleSpec, Stack } from '../../../src/model/stack.ts';
import { listener, stack, targetGroup } from '../../support/stack.ts';

/**
 * fast-check generators for stacks and requests over small alphabets, so that random conditions and
 * random requests actually meet (most requests match some rule, many match several).
 */

const str = (chars: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...chars.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));

export const CIDRS = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3/32', '0.0.0.0/0', '192.168.0.0/16', '10.1.2.0/24'];
const SOURCE_IPS = ['10.1.2.3', '10.1.9.9', '10.9.9.9', '192.168.5.5', '8.8.8.8', '10.1.2.200'];
const TG_IDS = ['ns/a:80', 'ns/b:80', 'ns/c:80'];

const hostGlob = str('ab.*?', 1, 5);
const pathGlob = str('ab/.*?', 1, 6).map((p) => (p.startsWith('/') || p.startsWith('*') ? p : `/${p}`));
const valueGlob = str('aB *?', 1, 4);
const queryGlob = str('aB +%=&*?', 0, 4);

export const arbCondition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ field: fc.constant('host-header' as const), values: fc.array(hostGlob, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    field: fc.constant('path-pattern' as const),
    values: fc.array(pathGlob, { minLength: 1, maxLength: 3 }),
  }),
  str('ab/.', 1, 4).map((p) => ({ field: 'path-pattern' as const, values: [`/${p}`, `/${p}/*`] })),
  fc.record({
    field: fc.constant('path-pattern' as const),
    values: fc.constant([] as string[]),
    regexValues: fc.array(fc.constantFrom('^/a', 'b$', 'a+b', '/b/', '^/$'), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    field: fc.constant('http-header' as const),
    headerName: fc.constantFrom('X-Test', 'x-other'),
    values: fc.array(valueGlob, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    field: fc.constant('http-request-method' as const),
    values: fc.uniqueArray(fc.constantFrom('GET', 'HEAD', 'POST'), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    field: fc.constant('query-string' as const),
    values: fc.array(
      fc.oneof(
        fc.record({ key: queryGlob.filter((k) => k !== ''), value: queryGlob }),
        fc.record({ value: queryGlob }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({
    field: fc.constant('source-ip' as const),
    values: fc.uniqueArray(fc.constantFrom(...CIDRS), { minLength: 1, maxLength: 2 }),
  }),
);

export const arbAction: fc.Arbitrary<Action> = fc.oneof(
  fc.uniqueArray(fc.constantFrom(...TG_IDS), { minLength: 1, maxLength: 3 }).chain((ids) =>
    fc.record({
      type: fc.constant('forward' as const),
      targetGroups: fc.tuple(
        ...ids.map((id) => fc.integer({ min: 0, max: 999 }).map((weight) => ({ targetGroupId: id, weight }))),
      ),
    }),
  ),
  fc.record({
    type: fc.constant('fixed-response' as const),
    statusCode: fc.constantFrom('200', '404', '503'),
    messageBody: str('ab ', 0, 5),
  }),
  fc.record({
    type: fc.constant('redirect' as const),
    protocol: fc.constantFrom('#{protocol}', 'HTTPS', 'HTTP'),
    host: fc.constantFrom('#{host}', 'example.com', 'x.#{host}'),
    path: fc.constantFrom('/#{path}', '/fixed', '/v2/#{path}', '/#{host}/#{path}'),
    query: fc.constantFrom('#{query}', '', 'a=b', 'p=#{path}'),
    port: fc.constantFrom('#{port}', '443', '8080'),
    statusCode: fc.constantFrom('HTTP_301' as const, 'HTTP_302' as const),
  }),
);

const arbRules: fc.Arbitrary<RuleSpec[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 50000 }), { minLength: 0, maxLength: 8 })
  .chain((priorities) =>
    fc.tuple(
      ...priorities.map((priority) =>
        fc.record({
          priority: fc.constant(priority),
          // ALB allows at most one host-header, path-pattern, http-request-method and source-ip per rule.
          conditions: fc
            .array(arbCondition, { minLength: 1, maxLength: 3 })
            .map((cs) =>
              cs.filter(
                (c, i) =>
                  c.field === 'http-header' ||
                  c.field === 'query-string' ||
                  cs.findIndex((d) => d.field === c.field) === i,
              ),
            ),
          actions: arbAction.map((a) => [a]),
          sources: fc.constant(['ns/ing']),
        }),
      ),
    ),
  );

export const arbListener: fc.Arbitrary<ListenerSpec> = fc
  .record({ port: fc.constantFrom(80, 8080), rules: arbRules, defaultActions: arbAction.map((a) => [a]) })
  .map((l) => listener({ ...l, rules: [...l.rules].sort((a, b) => a.priority - b.priority) }));

export const arbStack: fc.Arbitrary<Stack> = fc
  .record({
    listeners: fc.uniqueArray(arbListener, { minLength: 1, maxLength: 2, selector: (l) => l.port }),
    algorithm: fc.constantFrom('round_robin', 'least_outstanding_requests', 'weighted_random'),
    successCodes: fc.constantFrom('200', '200,202', '200-299', '200-204,300-302'),
  })
  .map(({ listeners, algorithm, successCodes }) =>
    stack({
      listeners: [...listeners].sort((a, b) => a.port - b.port),
      targetGroups: TG_IDS.map((id, i) =>
        targetGroup(id, {
          name: `p-ns-${'abc'[i] ?? 'x'}-80-0123456789`,
          attributes: [{ key: 'load_balancing.algorithm.type', value: algorithm }],
          healthCheck: { ...targetGroup(id).healthCheck, successCodes },
          targets: [{ id: `127.0.0.${i + 1}`, port: 8080 }],
        }),
      ),
    }),
  );

function encodeChar(ch: string): fc.Arbitrary<string> {
  const hex = [...new TextEncoder().encode(ch)].map((b) => b.toString(16).padStart(2, '0'));
  const options = [
    fc.constant(hex.map((h) => `%${h.toUpperCase()}`).join('')),
    fc.constant(hex.map((h) => `%${h}`).join('')),
  ];
  if (ch === ' ') options.push(fc.constant('+'));
  else if (!'%&#+='.includes(ch)) options.push(fc.constant(ch), fc.constant(ch), fc.constant(ch));
  return fc.oneof(...options);
}

/** A decoded string from `chars`, spelled with random (well-formed) percent-encoding. */
const encoded = (chars: string, max: number) =>
  str(chars, 0, max).chain((s) =>
    s === '' ? fc.constant('') : fc.tuple(...[...s].map(encodeChar)).map((p) => p.join('')),
  );

const arbQuery = fc.array(
  fc.oneof(
    fc.tuple(encoded('aAbB +%=&*?', 3), encoded('aAbB +%=&*?', 3)).map(([k, v]) => `${k}=${v}`),
    encoded('aAb', 2),
  ),
  { minLength: 0, maxLength: 3 },
);

export const arbRequest: fc.Arbitrary<RouteRequest> = fc.record({
  host: fc.tuple(str('ab.', 1, 5), fc.constantFrom('', ':8080', ':80')).map(([h, p]) => h + p),
  path: str('ab/.', 0, 7).map((p) => `/${p}`),
  query: fc.option(
    arbQuery.map((q) => q.join('&')),
    { nil: undefined },
  ),
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'get'),
  headers: fc.record({ 'x-test': fc.array(str('aAbB ', 0, 4), { minLength: 1, maxLength: 1 }) }),
  sourceIp: fc.constantFrom(...SOURCE_IPS),
});
