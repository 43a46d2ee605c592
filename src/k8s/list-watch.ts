import { KubernetesObjectApi, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { ListWatchSource } from './reflector.ts';

/** What to list and watch: one kind, optionally in one namespace, optionally filtered. */
export interface ListWatchTarget {
  readonly apiVersion: string;
  readonly kind: string;
  /** URL path of the collection for the watch, e.g. `/apis/networking.k8s.io/v1/ingresses`. */
  readonly path: string;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * List and watch through client-node: the generic object API for paged lists, `Watch` for the
 * stream. Watches ask for bookmarks and end themselves after 5–10 minutes (as client-go does), so
 * no connection lives long enough to go stale behind a load balancer.
 */
export function clientNodeSource(
  kc: KubeConfig,
  target: ListWatchTarget,
  random: () => number = Math.random,
): ListWatchSource {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const watcher = new Watch(kc);
  return {
    async list({ limit, continueToken }) {
      const list = await objects.list<KubernetesObject>(
        target.apiVersion,
        target.kind,
        target.namespace,
        undefined,
        undefined,
        undefined,
        target.fieldSelector,
        target.labelSelector,
        limit,
        continueToken,
      );
      return {
        items: list.items,
        resourceVersion: list.metadata?.resourceVersion ?? '',
        ...(list.metadata?._continue ? { continueToken: list.metadata._continue } : {}),
      };
    },
    async watch(resourceVersion, onEvent, onDone) {
      const controller = await watcher.watch(
        target.path,
        {
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(300 + 300 * random()),
          labelSelector: target.labelSelector,
          fieldSelector: target.fieldSelector,
        },
        (type, object) => onEvent(type, object),
        (err) => onDone(err ?? undefined),
      );
      return () => controller.abort();
    },
  };
}
