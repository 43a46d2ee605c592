/** Realistic stacks for integration tests: an IngressGroup of N path rules over a few services. */
import type { Stack } from '../../../src/model/stack.ts';
import { forward, listener, path, rule, stack, targetGroup } from '../../support/stack.ts';

/** `rules` path rules (`/svc<i>/*`, longest first is irrelevant: disjoint) over `services` target groups. */
export function pathGroup(id: string, rules: number, services = 5, extraPaths: readonly string[] = []): Stack {
  const tgs = Array.from({ length: services }, (_, s) =>
    targetGroup(`svc${s}`, {
      name: `p-${id.replace(/[^a-z0-9]/g, '')}-svc${s}-00000000`.slice(0, 32),
      targets: [
        { id: `172.31.${s}.11`, port: 8080 },
        { id: `172.31.${s}.12`, port: 8080 },
      ],
    }),
  );
  // Each base path keeps its service whatever is inserted ahead of it; extra paths go to svc1.
  const paths = [
    ...extraPaths.map((p) => ({ p, svc: 1 % services })),
    ...Array.from({ length: rules }, (_, i) => ({ p: `/svc${i}/*`, svc: i % services })),
  ];
  return stack({
    id,
    loadBalancer: {
      ...stack().loadBalancer,
      name: `p-${id.replace(/[^a-z0-9]/g, '')}-0123456789`.slice(0, 32),
    },
    listeners: [
      listener({
        rules: paths.map((x, i) => rule(i + 1, [path(x.p)], [forward(`svc${x.svc}`)])),
      }),
    ],
    targetGroups: tgs,
  });
}
