import type { Logger } from '../log.ts';
import { isNotFound } from './api.ts';
import type { KubeApi } from './api.ts';

/**
 * core/v1 Events, as `kubectl describe` reads them (by involvedObject uid). Repeats of the same
 * (object, type, reason, message) bump `count` and `lastTimestamp` on the existing Event instead
 * of creating a new one, as client-go's EventCorrelator does. Recording never throws: an Event is
 * advice, and failing to write one must not fail a reconcile.
 */

export interface EventTarget {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly api: KubeApi;
  readonly log: Logger;
  /** `source.component` and `reportingComponent`. @default 'portico-controller' */
  readonly component?: string;
  /** `reportingInstance`, e.g. the pod name. */
  readonly instance: string;
  readonly now: () => number;
  /** Events remembered for deduplication. @default 4096 */
  readonly cacheSize?: number;
}

interface Recorded {
  readonly name: string;
  readonly namespace: string;
  count: number;
}

export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #seen = new Map<string, Recorded>();
  #seq = 0;

  constructor(options: EventRecorderOptions) {
    this.#o = options;
  }

  async record(target: EventTarget, type: EventType, reason: string, message: string): Promise<void> {
    const key = [target.uid ?? `${target.namespace}/${target.name}`, type, reason, message].join('\u0000');
    const now = new Date(this.#o.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const prev = this.#seen.get(key);
    try {
      if (prev !== undefined) {
        try {
          await this.#o.api.patch(`/api/v1/namespaces/${prev.namespace}/events/${prev.name}`, {
            count: prev.count + 1,
            lastTimestamp: now,
          });
          prev.count++;
          // Refresh its place in the insertion-ordered cache.
          this.#seen.delete(key);
          this.#seen.set(key, prev);
          return;
        } catch (e: unknown) {
          // Events expire (one hour by default); start a new one.
          if (!isNotFound(e)) throw e;
          this.#seen.delete(key);
        }
      }
      const name = `${target.name}.${this.#o.now().toString(16)}${(this.#seq++ % 4096).toString(16).padStart(3, '0')}`;
      const component = this.#o.component ?? 'portico-controller';
      await this.#o.api.create(`/api/v1/namespaces/${target.namespace}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: target.namespace },
        involvedObject: {
          kind: target.kind,
          apiVersion: target.apiVersion,
          namespace: target.namespace,
          name: target.name,
          ...(target.uid !== undefined ? { uid: target.uid } : {}),
        },
        type,
        reason,
        message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
        source: { component },
        reportingComponent: component,
        reportingInstance: this.#o.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
      this.#seen.set(key, { name, namespace: target.namespace, count: 1 });
      const limit = this.#o.cacheSize ?? 4096;
      while (this.#seen.size > limit) {
        const oldest = this.#seen.keys().next();
        if (oldest.done === true) break;
        this.#seen.delete(oldest.value);
      }
    } catch (e: unknown) {
      this.#o.log.warn({ err: e, reason, object: `${target.namespace}/${target.name}` }, 'could not record event');
    }
  }
}
