import type { Config } from '../config/config.ts';
import type { TranslateOptions } from '../ingress/options.ts';
import type { KubeApi } from '../k8s/api.ts';
import { ClusterView } from '../k8s/cluster-view.ts';
import type { ViewChange } from '../k8s/cluster-view.ts';
import { EventRecorder } from '../k8s/events.ts';
import { IngressWriter } from '../k8s/ingress-writer.ts';
import { LeaderElector } from '../k8s/leader.ts';
import { kubeLeaseStore } from '../k8s/lease-store.ts';
import type { ListWatchSource } from '../k8s/reflector.ts';
import type { Logger } from '../log.ts';
import type { ControllerMetrics } from '../metrics/metrics.ts';
import type { BackoffPolicy } from './backoff.ts';
import { failureReason, GroupReconciler } from './group-reconciler.ts';
import type { ReconcileMode } from './group-reconciler.ts';
import type { Provider } from './provider.ts';
import { ReconcileQueue } from './queue.ts';
import { DriftSchedule } from './drift-schedule.ts';
import { realScheduler } from './scheduler.ts';
import type { Scheduler } from './scheduler.ts';

/**
 * The controller: a ClusterView that every replica keeps warm, and — on the leader only — a
 * queue of IngressGroups reconciled by the GroupReconciler. Events enqueue only the groups they
 * affect; leadership starts a full pass; each group's drift check (drift-schedule.ts) catches changes made outside Kubernetes.
 */

export type ControllerConfig = Pick<
  Config,
  | 'clusterName'
  | 'watchNamespaces'
  | 'ingressClass'
  | 'controllerName'
  | 'annotationPrefix'
  | 'defaults'
  | 'rulePacking'
  | 'maxConcurrentReconciles'
  | 'driftCheckIntervalMs'
  | 'leaderElection'
>;

export interface ControllerOptions {
  readonly api: KubeApi;
  readonly config: ControllerConfig;
  readonly provider: Provider;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  /** Unique per replica: the Lease holder identity and the Events' reportingInstance. */
  readonly identity: string;
  readonly scheduler?: Scheduler;
  readonly random?: () => number;
  /** @default 100 */
  readonly holdOffMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Informer watchdog. @default 300000 */
  readonly silenceTimeoutMs?: number;
  /** How to list and watch a path (tests may wrap client-node to observe it). */
  readonly source?: (path: string) => ListWatchSource;
}

/** Controller flags → translation options. */
export function translateOptionsOf(config: ControllerConfig): TranslateOptions {
  const d = config.defaults;
  return {
    clusterName: config.clusterName,
    annotationPrefix: config.annotationPrefix,
    controllerName: config.controllerName,
    legacyClassNames: [config.ingressClass],
    rulePacking: config.rulePacking,
    defaults: {
      targetType: d.targetType,
      scheme: d.scheme,
      ...(d.sslPolicy !== undefined ? { sslPolicy: d.sslPolicy } : {}),
      targetGroupAttributes: d.targetGroupAttributes,
      ...(d.loadBalancingAlgorithm !== undefined
        ? {
            loadBalancingAlgorithm: d.loadBalancingAlgorithm as
              'round_robin' | 'least_outstanding_requests' | 'weighted_random',
          }
        : {}),
      tags: d.tags,
    },
  };
}

export class Controller {
  readonly view: ClusterView;
  readonly #o: ControllerOptions;
  readonly #scheduler: Scheduler;
  readonly #reconciler: GroupReconciler;
  readonly #elector: LeaderElector | undefined;
  readonly #pending = new Map<string, ReconcileMode>();
  #queue: ReconcileQueue<string> | undefined;
  #leading = false;
  #drift: DriftSchedule | undefined;
  #started: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#scheduler = options.scheduler ?? realScheduler;
    const translate = translateOptionsOf(options.config);
    const log = options.log;
    this.view = new ClusterView({
      api: options.api,
      namespaces: options.config.watchNamespaces,
      translate,
      scheduler: this.#scheduler,
      log,
      onChange: (c) => this.#onChange(c),
      onInformerRestart: (informer, reason) => options.metrics.informerRestarts.inc({ informer, reason }),
      ...(options.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: options.silenceTimeoutMs } : {}),
      ...(options.random !== undefined ? { random: options.random } : {}),
      ...(options.source !== undefined ? { source: options.source } : {}),
    });
    const now = () => this.#scheduler.now();
    this.#reconciler = new GroupReconciler({
      view: this.view,
      writer: new IngressWriter(options.api),
      events: new EventRecorder({ api: options.api, log, instance: options.identity, now }),
      provider: options.provider,
      translate,
      log,
      metrics: options.metrics,
      now,
      mayWrite: () => this.#leading && !this.#stopped,
    });
    const le = options.config.leaderElection;
    this.#elector = le.enabled
      ? new LeaderElector({
          store: kubeLeaseStore(options.api, le.namespace, le.leaseName),
          identity: options.identity,
          leaseDurationMs: le.leaseDurationMs,
          renewDeadlineMs: le.renewDeadlineMs,
          retryPeriodMs: le.retryPeriodMs,
          scheduler: this.#scheduler,
          ...(options.random !== undefined ? { random: options.random } : {}),
          onStartedLeading: () => void this.#lead(),
          onStoppedLeading: () => void this.#unlead(),
          onNewLeader: (holder) => log.info({ leader: holder }, 'leader observed'),
          onError: (e) => log.warn({ err: e }, 'leader election: lease call failed'),
        })
      : undefined;
  }

  /** Starts the caches and campaigns for leadership (or leads at once without leader election). */
  start(): Promise<void> {
    this.#started ??= (async () => {
      const synced = this.view.start();
      if (this.#elector !== undefined) this.#elector.start();
      await synced;
      if (this.#elector === undefined) await this.#lead();
    })();
    return this.#started;
  }

  /** Caches are synced (the replica can serve, as leader or standby). */
  get ready(): boolean {
    return this.view.synced;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** Resolves when no group is waiting or being reconciled (backoffs may remain). */
  async idle(): Promise<void> {
    await this.#queue?.idle();
  }

  /**
   * Graceful stop: no new reconciles, the running ones finish, then the lease is released so a
   * standby takes over at once.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    const q = this.#queue;
    this.#queue = undefined;
    this.#drift?.stop();
    await q?.stop();
    this.#stopped = true;
    this.#leading = false;
    await this.#elector?.stop();
    this.view.stop();
    this.#o.metrics.leader.set(0);
  }

  /** Simulates a crash for tests: stops everything without releasing the lease. */
  async crash(): Promise<void> {
    this.#stopped = true;
    this.#leading = false;
    this.#drift?.stop();
    const q = this.#queue;
    this.#queue = undefined;
    this.view.stop();
    this.#elector?.abandon();
    await q?.stop();
  }

  async #lead(): Promise<void> {
    if (this.#stopped || this.#leading) return;
    this.#leading = true;
    this.#o.provider.invalidate?.();
    this.#o.metrics.leader.set(1);
    this.#o.log.info({ identity: this.#o.identity }, 'leading');
    const m = this.#o.metrics;
    this.#queue = new ReconcileQueue<string>({
      worker: (group) => this.#work(group),
      concurrency: this.#o.config.maxConcurrentReconciles,
      scheduler: this.#scheduler,
      ...(this.#o.holdOffMs !== undefined ? { holdOffMs: this.#o.holdOffMs } : {}),
      ...(this.#o.backoff !== undefined ? { backoff: this.#o.backoff } : {}),
      ...(this.#o.random !== undefined ? { random: this.#o.random } : {}),
      onReconciled: (_group, ms, ok) => {
        m.reconcileDuration.observe({ result: ok ? 'success' : 'error' }, ms / 1000);
        this.#gauges();
      },
      onError: (group, e, failures, retryInMs) => {
        m.reconcileErrors.inc({ code: failureReason(e) });
        this.#o.log.warn({ group, err: e, failures, retryInMs }, 'reconcile failed');
      },
    });
    await this.view.start();
    this.#enqueueAll('full');
    this.#drift = new DriftSchedule({
      intervalMs: this.#o.config.driftCheckIntervalMs,
      scheduler: this.#scheduler,
      random: this.#o.random ?? Math.random,
      groups: () => this.view.groups(),
      onDue: (groups) => {
        if (!this.#leading) return;
        for (const g of groups) this.#enqueue(g, 'drift');
        this.#gauges();
      },
    });
    this.#drift.start();
  }

  async #unlead(): Promise<void> {
    if (!this.#leading) return;
    this.#leading = false;
    this.#o.metrics.leader.set(0);
    this.#o.log.warn({ identity: this.#o.identity }, 'lost leadership; reconciles stop');
    this.#drift?.stop();
    const q = this.#queue;
    this.#queue = undefined;
    await q?.stop();
  }

  async #work(group: string): Promise<void> {
    const mode = this.#pending.get(group) ?? 'full';
    this.#pending.delete(group);
    await this.#reconciler.reconcile(group, mode);
  }

  #onChange(change: ViewChange): void {
    if (this.#queue === undefined) return;
    for (const g of change.groups) this.#enqueue(g, change.endpointsOnly ? 'endpoints' : 'full');
    this.#gauges();
  }

  #enqueue(group: string, mode: ReconcileMode): void {
    // drift covers full, which covers endpoints — never the reverse.
    const rank = { endpoints: 0, full: 1, drift: 2 } as const;
    const prev = this.#pending.get(group);
    if (prev === undefined || rank[mode] > rank[prev]) this.#pending.set(group, mode);
    this.#queue?.enqueue(group);
  }

  #enqueueAll(mode: ReconcileMode): void {
    for (const g of this.view.groups()) this.#enqueue(g, mode);
    this.#gauges();
  }

  #gauges(): void {
    const m = this.#o.metrics;
    const q = this.#queue;
    m.queueDepth.set(q?.depth ?? 0);
    m.queueRunning.set(q?.running ?? 0);
    m.queueBackingOff.set(q?.backingOff ?? 0);
    for (const [informer, n] of Object.entries(this.view.sizes())) m.informerObjects.set({ informer }, n);
  }
}
