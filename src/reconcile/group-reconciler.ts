import { errorMessage, isPorticoError, PorticoError } from '../errors/base.ts';
import type { TranslateOptions } from '../ingress/options.ts';
import { translateGroup } from '../ingress/translate.ts';
import type { TranslateResult } from '../ingress/translate.ts';
import type { ClusterSnapshot, Ingress } from '../ingress/types.ts';
import type { IngressWriter } from '../k8s/ingress-writer.ts';
import type { Logger } from '../log.ts';
import type { ControllerMetrics } from '../metrics/metrics.ts';
import { hashOf } from '../model/canonical.ts';
import type { Stack } from '../model/stack.ts';
import type { LoadBalancerAddress, Provider } from './provider.ts';
import { MemberReporter } from './report.ts';
import type { EventRecorder } from '../k8s/events.ts';

/**
 * One reconcile of one IngressGroup, in the order that keeps AWS and Kubernetes consistent:
 * 1. translate the group from a snapshot of its members;
 * 2. add our finalizer to every live member — before any AWS resource can exist for it;
 * 3. apply the stack (or only its targets, when nothing else changed), or delete the group's
 *    resources once it has no live member left;
 * 4. release members that are being deleted or have left Portico's groups — even while other
 *    members are invalid, so bad input never blocks a deletion;
 * 5. publish status (only on change), conditions and Events.
 */

/** What the reconciler reads from the ClusterView. */
export interface GroupSource {
  snapshotFor(group: string): Promise<ClusterSnapshot>;
  formerMembers(group: string): Ingress[];
  forgetFormerMember(ingressKey: string): void;
}

/**
 * `endpoints` may take the targets-only path; `full` re-plans everything; `drift` also tells the
 * provider to trust no summary of what it applied before (the periodic resync).
 */
export type ReconcileMode = 'endpoints' | 'full' | 'drift';

export interface GroupReconcilerOptions {
  readonly view: GroupSource;
  readonly writer: IngressWriter;
  readonly events: EventRecorder;
  readonly provider: Provider;
  readonly translate: TranslateOptions;
  readonly log: Logger;
  readonly metrics?: ControllerMetrics;
  readonly now: () => number;
  /** Whether this replica may write (it leads); checked before each step that writes. */
  readonly mayWrite: () => boolean;
}

/** Raised when leadership is lost mid-reconcile: the new leader will redo the work. */
export class NotLeaderError extends PorticoError {
  constructor() {
    super('NotLeader', 'this replica is no longer the leader', { retryable: false });
  }
}

/** Hash of everything in a stack but its targets: equal hashes mean only targets differ. */
function shapeOf(stack: Stack): string {
  return hashOf({ ...stack, targetGroups: stack.targetGroups.map((tg) => ({ ...tg, targets: [] })) });
}

const keyOf = (ing: Ingress) => `${ing.metadata.namespace}/${ing.metadata.name}`;

export class GroupReconciler {
  readonly #o: GroupReconcilerOptions;
  readonly #reporter: MemberReporter;
  /** Per group: the shape last applied and the address it answered with (memory only; a restart re-plans). */
  readonly #applied = new Map<string, { shape: string; address: LoadBalancerAddress | undefined }>();

  constructor(options: GroupReconcilerOptions) {
    this.#o = options;
    this.#reporter = new MemberReporter({
      writer: options.writer,
      events: options.events,
      now: options.now,
      log: options.log,
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    });
  }

  async reconcile(group: string, mode: ReconcileMode): Promise<void> {
    const log = this.#o.log.child({ group });
    const snapshot = await this.#o.view.snapshotFor(group);
    const context = await this.#o.provider.prepare();
    const result = translateGroup(snapshot, group, context.catalog, {
      ...this.#o.translate,
      ...(context.vpcCidrs !== undefined ? { vpcCidrs: context.vpcCidrs } : {}),
      now: this.#o.now(),
    });
    const live = snapshot.ingresses.filter((i) => i.metadata.deletionTimestamp === undefined);
    const deleting = snapshot.ingresses.filter((i) => i.metadata.deletionTimestamp !== undefined);
    let address: LoadBalancerAddress | undefined;
    let failure: unknown;
    let programmed = false;
    try {
      if (result.stack !== undefined) {
        for (const ing of live) {
          this.#fence();
          if (await this.#o.writer.addFinalizer(ing)) this.#o.metrics?.kubeWrites.inc({ kind: 'finalizer' });
        }
        address = await this.#apply(group, result.stack, mode, log);
        programmed = true;
      } else if (live.length === 0) {
        this.#fence();
        await this.#o.provider.delete(group);
        this.#applied.delete(group);
        log.info({ op: 'delete' }, 'group has no live members; its load balancer resources are deleted');
      } else {
        // Every live member is invalid: keep what exists rather than tear a working ALB down.
        log.warn(
          { excluded: result.excluded.length },
          'no member of the group could be built; load balancer left as is',
        );
      }
    } catch (e: unknown) {
      failure = e;
    }
    const problems: unknown[] = [];
    if (failure === undefined) {
      await this.#release(group, deleting, log).catch((e: unknown) => problems.push(e));
    }
    await this.#reporter
      .report({ group, result, live, programmed, address, failure })
      .catch((e: unknown) => problems.push(e));
    if (failure !== undefined) throw failure;
    if (problems.length > 0) throw problems[0];
  }

  async #apply(
    group: string,
    stack: Stack,
    mode: ReconcileMode,
    log: Logger,
  ): Promise<LoadBalancerAddress | undefined> {
    const shape = shapeOf(stack);
    const prev = this.#applied.get(group);
    this.#fence();
    if (mode === 'endpoints' && prev?.shape === shape) {
      await this.#o.provider.applyTargets(stack);
      log.debug({ op: 'targets' }, 'targets updated');
      return prev.address;
    }
    const address = await this.#o.provider.apply(stack, mode === 'drift' ? { drift: true } : {});
    this.#applied.set(group, { shape, address });
    log.debug({ op: 'apply', lb: address?.hostname }, 'stack applied');
    return address;
  }

  /** Drops our finalizer from members being deleted and from Ingresses that left Portico's groups. */
  async #release(group: string, deleting: readonly Ingress[], log: Logger): Promise<void> {
    for (const ing of deleting) {
      this.#fence();
      if (await this.#o.writer.removeFinalizer(ing)) {
        this.#o.metrics?.kubeWrites.inc({ kind: 'finalizer' });
        log.info({ ingress: keyOf(ing) }, 'member deleted; finalizer released');
      }
    }
    for (const ing of this.#o.view.formerMembers(group)) {
      this.#fence();
      if (ing.metadata.deletionTimestamp === undefined && (await this.#o.writer.setLoadBalancerStatus(ing, []))) {
        this.#o.metrics?.kubeWrites.inc({ kind: 'status' });
      }
      if (await this.#o.writer.removeFinalizer(ing)) {
        this.#o.metrics?.kubeWrites.inc({ kind: 'finalizer' });
        log.info({ ingress: keyOf(ing) }, 'Ingress left the group; finalizer released');
      }
      this.#o.view.forgetFormerMember(keyOf(ing));
    }
  }

  #fence(): void {
    if (!this.#o.mayWrite()) throw new NotLeaderError();
  }
}

/** The stable reason for an error: its Portico code, or `ReconcileFailed`. */
export function failureReason(e: unknown): string {
  return isPorticoError(e) ? e.code : 'ReconcileFailed';
}

export function failureMessage(e: unknown): string {
  return errorMessage(e);
}

export type { TranslateResult };
