import type { TargetGroupSpec } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { report } from './render-context.ts';
import type { RenderContext } from './render-context.ts';

/**
 * ClusterLoadAssignment: a target group's registered targets. No health status is set; active
 * health checks (the Cluster's) decide, as ALB's do.
 */

/** Health-check port override, when the group checks a fixed port instead of the traffic port. */
function healthCheckPort(tg: TargetGroupSpec): number | undefined {
  const p = tg.healthCheck.port;
  return p === 'traffic-port' || !/^\d+$/.test(p) ? undefined : Number(p);
}

export function renderClusterLoadAssignment(ctx: RenderContext, tg: TargetGroupSpec, index: number): JsonObject {
  const endpoints: Array<{ address: string; port: number }> = [];
  for (const [i, target] of tg.targets.entries()) {
    const address = tg.targetType === 'instance' ? ctx.options.instanceAddresses[target.id] : target.id;
    if (address === undefined) {
      report(
        ctx,
        'TargetAddressUnknown',
        `targetGroups[${index}].targets[${i}]`,
        `no address for instance ${JSON.stringify(target.id)}; the target is left out`,
      );
      continue;
    }
    endpoints.push({ address, port: target.port });
  }
  endpoints.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  const hcPort = healthCheckPort(tg);
  const unique = endpoints.filter(
    (e, i) => i === 0 || e.address !== endpoints[i - 1]?.address || e.port !== endpoints[i - 1]?.port,
  );
  return {
    cluster_name: tg.name,
    endpoints: [
      {
        lb_endpoints: unique.map((e) => ({
          endpoint: {
            address: { socket_address: { address: e.address, port_value: e.port } },
            ...(hcPort !== undefined ? { health_check_config: { port_value: hcPort } } : {}),
          },
        })),
      },
    ],
  };
}
