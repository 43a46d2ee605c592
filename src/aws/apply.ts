import type { ApplyContext } from './apply-context.ts';
import { applyBackendOperation } from './apply-backend.ts';
import { applyEc2AcmOperation } from './apply-ec2-acm.ts';
import { applyElbOperation, verifyCreated } from './apply-elb.ts';
import type { Operation } from './plan-operations.ts';
import { PHASE } from './plan-operations.ts';

/**
 * apply(): executes a plan. Phases run one after another; inside a phase, operations run
 * concurrently (bounded by the AwsCaller's queue) except those sharing a lane, which run in order.
 * The first failure stops the apply after the running phase settles; nothing later runs, so the
 * summary tags (the last phase) are never written over a partial apply, and the next reconcile
 * re-reads and continues from whatever AWS holds.
 */
export async function applyPlan(ctx: ApplyContext, operations: readonly Operation[]): Promise<void> {
  const phases = new Map<number, Operation[]>();
  for (const op of operations) phases.set(op.phase, [...(phases.get(op.phase) ?? []), op]);
  for (const phase of [...phases.keys()].sort((a, b) => a - b)) {
    const lanes = new Map<string, Operation[]>();
    (phases.get(phase) ?? []).forEach((op, i) => {
      const lane = op.lane ?? `#${i}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), op]);
    });
    const results = await Promise.allSettled(
      [...lanes.values()].map(async (laneOps) => {
        for (const op of laneOps) await applyOperation(ctx, op);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    // Nothing may point at a resource until we know it is ours (see verifyCreated).
    if (phase === PHASE.create) await verifyCreated(ctx);
  }
}

async function applyOperation(ctx: ApplyContext, op: Operation): Promise<void> {
  if (await applyElbOperation(ctx, op)) return;
  if (await applyEc2AcmOperation(ctx, op)) return;
  if (await applyBackendOperation(ctx, op)) return;
  throw new RangeError(`apply: unknown operation ${(op as { op: string }).op}`);
}
