import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The controller's Prometheus metrics, on a registry of their own (so two controllers in one
 * process, as in the failover tests, never share counters). Names follow Prometheus conventions:
 * `_total` counters, `_seconds` histograms, base units. AWS calls are counted by the AWS provider's
 * caller (`portico_aws_calls_total{operation,outcome}`, src/aws/calls.ts) on this same registry.
 */
export class ControllerMetrics {
  readonly registry: Registry;
  readonly reconcileDuration: Histogram<'result'>;
  readonly reconcileErrors: Counter<'code'>;
  readonly queueDepth: Gauge;
  readonly queueRunning: Gauge;
  readonly queueBackingOff: Gauge;
  readonly informerRestarts: Counter<'informer' | 'reason'>;
  readonly informerObjects: Gauge<'informer'>;
  readonly leader: Gauge;
  readonly kubeWrites: Counter<'kind'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [(this.registry = new Registry())];
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry });
    this.reconcileDuration = new Histogram({
      name: 'portico_reconcile_duration_seconds',
      help: 'Time to reconcile one IngressGroup.',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'portico_reconcile_errors_total',
      help: 'Failed reconciles by stable error code.',
      labelNames: ['code'],
      registers,
    });
    this.queueDepth = new Gauge({ name: 'portico_queue_depth', help: 'Groups waiting to be reconciled.', registers });
    this.queueRunning = new Gauge({ name: 'portico_queue_running', help: 'Groups being reconciled.', registers });
    this.queueBackingOff = new Gauge({
      name: 'portico_queue_backing_off',
      help: 'Groups waiting to retry after a failure.',
      registers,
    });
    this.informerRestarts = new Counter({
      name: 'portico_informer_restarts_total',
      help: 'Informer list/watch restarts by reason (error, gone = 410 relist, silent = watchdog).',
      labelNames: ['informer', 'reason'],
      registers,
    });
    this.informerObjects = new Gauge({
      name: 'portico_informer_objects',
      help: 'Objects held in each informer cache.',
      labelNames: ['informer'],
      registers,
    });
    this.leader = new Gauge({ name: 'portico_leader', help: '1 while this replica is the leader.', registers });
    this.kubeWrites = new Counter({
      name: 'portico_kube_writes_total',
      help: 'Writes to the Kubernetes API by kind (finalizer, status, conditions, event).',
      labelNames: ['kind'],
      registers,
    });
  }
}
