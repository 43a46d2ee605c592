import { errorMessage, isPorticoError } from '../errors/base.ts';
import type { TranslateResult } from '../ingress/translate.ts';
import type { Ingress } from '../ingress/types.ts';
import type { EventRecorder, EventTarget } from '../k8s/events.ts';
import type { IngressCondition, IngressWriter } from '../k8s/ingress-writer.ts';
import type { Logger } from '../log.ts';
import type { ControllerMetrics } from '../metrics/metrics.ts';
import { hashOf } from '../model/canonical.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { formatObjectRef } from '../model/diagnostic.ts';
import type { LoadBalancerAddress } from './provider.ts';

/**
 * Tells each member of a group what happened to it: `status.loadBalancer.ingress` (only when it
 * changed), the `Accepted` and `Programmed` conditions, and Events. Diagnostics become Warning
 * Events whose reason is the diagnostic's stable code; they are emitted when a member's set of
 * diagnostics changes, not on every reconcile, so a steady bad input yields one Event (whose
 * count the recorder bumps if the same problem comes back).
 */

export interface ReportInput {
  /** The group's key: what is remembered about members is kept per group and pruned to `live`. */
  readonly group: string;
  readonly result: TranslateResult;
  readonly live: readonly Ingress[];
  /** The stack (or its targets) was applied. */
  readonly programmed: boolean;
  readonly address: LoadBalancerAddress | undefined;
  readonly failure: unknown;
}

export interface MemberReporterOptions {
  readonly writer: IngressWriter;
  readonly events: EventRecorder;
  readonly now: () => number;
  readonly log: Logger;
  readonly metrics?: ControllerMetrics;
}

const keyOf = (ing: { readonly metadata: { readonly namespace: string; readonly name: string } }) =>
  `${ing.metadata.namespace}/${ing.metadata.name}`;

function target(ing: Ingress): EventTarget {
  return {
    kind: 'Ingress',
    apiVersion: 'networking.k8s.io/v1',
    namespace: ing.metadata.namespace,
    name: ing.metadata.name,
    ...(ing.metadata.uid !== undefined ? { uid: ing.metadata.uid } : {}),
  };
}

/** Diagnostics about this member, plus those about shared objects (Services, class parameters, the group). */
function diagnosticsOf(ing: Ingress, all: readonly Diagnostic[]): Diagnostic[] {
  return all.filter(
    (d) =>
      d.object.kind !== 'Ingress' ||
      (d.object.namespace === ing.metadata.namespace && d.object.name === ing.metadata.name),
  );
}

function eventMessage(ing: Ingress, d: Diagnostic): string {
  const own = d.object.kind === 'Ingress' && d.object.name === ing.metadata.name;
  const where = d.field === '' ? '' : `${d.field}: `;
  return own ? `${where}${d.message}` : `${formatObjectRef(d.object)}: ${where}${d.message}`;
}

/** What a member was last told: its diagnostics' digest and the stack hash of its last `Reconciled` Event. */
interface Reported {
  diagnostics: string | undefined;
  reconciled: string | undefined;
}

export class MemberReporter {
  readonly #o: MemberReporterOptions;
  /**
   * Per group, per member uid: what was last reported, so unchanged news is not repeated. Each
   * report keeps only the group's live members, so deleted and moved Ingresses are forgotten.
   */
  readonly #reported = new Map<string, Map<string, Reported>>();

  constructor(options: MemberReporterOptions) {
    this.#o = options;
  }

  async report(input: ReportInput): Promise<void> {
    const { group, result, live, programmed, address, failure } = input;
    const before = this.#reported.get(group);
    const after = new Map<string, Reported>();
    const built = new Set(result.members.map((r) => `${r.namespace}/${r.name}`));
    const failureCode = failure === undefined ? undefined : isPorticoError(failure) ? failure.code : 'ReconcileFailed';
    const stackHash = result.stack === undefined ? '' : hashOf(result.stack);
    let firstError: unknown;
    for (const ing of live) {
      try {
        const isBuilt = built.has(keyOf(ing));
        const diagnostics = diagnosticsOf(ing, result.diagnostics);
        if (programmed && isBuilt && address !== undefined) {
          if (await this.#o.writer.setLoadBalancerStatus(ing, [address])) this.#count('status');
        }
        const id = ing.metadata.uid ?? keyOf(ing);
        const reported = before?.get(id) ?? { diagnostics: undefined, reconciled: undefined };
        after.set(id, reported);
        await this.#events(
          ing,
          reported,
          diagnostics,
          failure,
          failureCode,
          programmed && isBuilt ? stackHash : undefined,
        );
        if (await this.#o.writer.setConditions(ing, this.#conditions(ing, isBuilt, diagnostics, programmed, failure))) {
          this.#count('conditions');
        }
      } catch (e: unknown) {
        firstError ??= e;
      }
    }
    if (after.size > 0) this.#reported.set(group, after);
    else this.#reported.delete(group);
    if (firstError !== undefined) throw firstError;
  }

  async #events(
    ing: Ingress,
    reported: Reported,
    diagnostics: readonly Diagnostic[],
    failure: unknown,
    failureCode: string | undefined,
    stackHash: string | undefined,
  ): Promise<void> {
    const t = target(ing);
    // Most members have none: one shared empty digest rather than a hash string per member.
    const digest = diagnostics.length === 0 ? '' : hashOf(diagnostics);
    if (reported.diagnostics !== digest) {
      reported.diagnostics = digest;
      for (const d of diagnostics) {
        await this.#o.events.record(t, 'Warning', d.code, eventMessage(ing, d));
        this.#count('event');
      }
    }
    if (failureCode !== undefined && failureCode !== 'NotLeader') {
      await this.#o.events.record(t, 'Warning', failureCode, errorMessage(failure));
      this.#count('event');
    }
    if (stackHash !== undefined && reported.reconciled !== stackHash) {
      reported.reconciled = stackHash;
      await this.#o.events.record(t, 'Normal', 'Reconciled', 'Load balancer configuration applied');
      this.#count('event');
    }
  }

  #conditions(
    ing: Ingress,
    isBuilt: boolean,
    diagnostics: readonly Diagnostic[],
    programmed: boolean,
    failure: unknown,
  ): IngressCondition[] {
    const now = new Date(this.#o.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const generation = ing.metadata.generation;
    const base = { lastTransitionTime: now, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
    const firstError = diagnostics.find((d) => d.severity === 'Error');
    const accepted: IngressCondition = isBuilt
      ? {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: 'The Ingress is part of its load balancer',
          ...base,
        }
      : {
          type: 'Accepted',
          status: 'False',
          reason: firstError?.code ?? 'NotAccepted',
          message: firstError === undefined ? 'The Ingress was left out of its group' : eventMessage(ing, firstError),
          ...base,
        };
    const programmedCondition: IngressCondition =
      failure !== undefined
        ? {
            type: 'Programmed',
            status: 'False',
            reason: isPorticoError(failure) ? failure.code : 'ReconcileFailed',
            message: errorMessage(failure),
            ...base,
          }
        : programmed && isBuilt
          ? {
              type: 'Programmed',
              status: 'True',
              reason: 'Programmed',
              message: 'The load balancer serves this Ingress',
              ...base,
            }
          : {
              type: 'Programmed',
              status: 'False',
              reason: 'NotProgrammed',
              message: 'The load balancer does not serve this Ingress',
              ...base,
            };
    return [accepted, programmedCondition];
  }

  #count(kind: string): void {
    this.#o.metrics?.kubeWrites.inc({ kind });
  }
}
