import { Watch } from '@kubernetes/client-node';
import type { KubeApi } from './api.ts';
import type { ListWatchSource } from './reflector.ts';

/** What to list and watch: one collection, optionally filtered. */
export interface ListWatchTarget {
  /** URL path of the collection, e.g. `/apis/networking.k8s.io/v1/namespaces/web/ingresses`. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

interface RawList {
  readonly items?: readonly unknown[];
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
}

/**
 * List through a plain JSON GET (raw objects, exactly as a watch delivers them: client-node's
 * generic list would turn timestamps into `Date`s) and watch through client-node's `Watch`.
 * Watches ask for bookmarks and end themselves after 5–10 minutes (as client-go does), so no
 * connection lives long enough to go stale behind a load balancer.
 */
export function clientNodeSource(
  api: KubeApi,
  target: ListWatchTarget,
  random: () => number = Math.random,
): ListWatchSource {
  const watcher = new Watch(api.kubeConfig);
  return {
    async list({ limit, continueToken }) {
      const list = await api.get<RawList>(target.path, {
        query: {
          limit,
          continue: continueToken,
          labelSelector: target.labelSelector,
          fieldSelector: target.fieldSelector,
        },
        // A large first page can take a while on a busy server.
        timeoutMs: 120_000,
      });
      return {
        items: list.items ?? [],
        resourceVersion: list.metadata?.resourceVersion ?? '',
        ...(list.metadata?.continue ? { continueToken: list.metadata.continue } : {}),
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
        (err: unknown) => onDone(err ?? undefined),
      );
      return () => controller.abort();
    },
  };
}
