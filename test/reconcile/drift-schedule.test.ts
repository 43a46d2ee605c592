import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DRIFT_JITTER, DriftSchedule } from '../../src/reconcile/drift-schedule.ts';
import { ManualScheduler } from '../../src/reconcile/scheduler.ts';

const HOUR = 3_600_000;

/** A schedule over `groups` recording each check as [group, time]. */
function schedule(groups: Set<string>, random: () => number = Math.random) {
  const scheduler = new ManualScheduler();
  const checks: Array<[string, number]> = [];
  const s = new DriftSchedule({
    intervalMs: HOUR,
    scheduler,
    random,
    groups: () => groups,
    onDue: (due) => {
      for (const g of due) checks.push([g, scheduler.now()]);
    },
  });
  return { s, scheduler, checks };
}

describe('DriftSchedule', () => {
  it('spreads the first checks of many groups over an interval, half an interval in, then checks each once per interval ± jitter', async () => {
    const groups = new Set(Array.from({ length: 1000 }, (_, i) => `g${i}`));
    const { s, scheduler, checks } = schedule(groups);
    s.start();
    await scheduler.advance(HOUR / 2 - s.sweepMs);
    assert.equal(checks.length, 0, 'no drift check right after the leadership pass');
    await scheduler.advance(HOUR + 2 * s.sweepMs);
    const first = new Map<string, number>();
    for (const [g, t] of checks) if (!first.has(g)) first.set(g, t);
    assert.equal(first.size, 1000, 'every group is checked between half and one and a half intervals in');
    const perTenMinutes = new Array<number>(6).fill(0);
    for (const t of first.values()) perTenMinutes[Math.min(5, Math.floor((t - HOUR / 2) / (HOUR / 6)))]! += 1;
    for (const n of perTenMinutes)
      assert.ok(n > 100 && n < 240, `first checks spread evenly: ${perTenMinutes.join(', ')}`);

    await scheduler.advance(3 * HOUR);
    const byGroup = new Map<string, number[]>();
    for (const [g, t] of checks) byGroup.set(g, [...(byGroup.get(g) ?? []), t]);
    for (const [g, times] of byGroup) {
      for (let i = 1; i < times.length; i++) {
        const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
        assert.ok(
          gap >= HOUR * (1 - DRIFT_JITTER) && gap <= HOUR * (1 + DRIFT_JITTER) + s.sweepMs,
          `${g}: ${gap} ms between checks`,
        );
      }
    }
  });

  it('follows the groups that exist: new ones join, deleted ones are never checked again', async () => {
    const groups = new Set(['a', 'b']);
    const { s, scheduler, checks } = schedule(groups, () => 0.5);
    s.start();
    await scheduler.advance(HOUR / 4);
    groups.delete('b');
    groups.add('c');
    await scheduler.advance(2 * HOUR);
    const checked = checks.map(([g]) => g);
    assert.ok(checked.includes('a') && checked.includes('c'), checked.join(','));
    assert.ok(!checked.includes('b'), 'a deleted group is not checked');
    assert.equal(s.dueAt('b'), undefined);
  });

  it('stops checking when stopped (leadership lost)', async () => {
    const { s, scheduler, checks } = schedule(new Set(['a']), () => 0.5);
    s.start();
    s.stop();
    await scheduler.advance(2 * HOUR);
    assert.deepEqual(checks, []);
    assert.equal(scheduler.pending, 0);
  });
});
