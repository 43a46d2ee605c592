import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReconcileQueue } from '../../src/reconcile/queue.ts';
import { ManualScheduler } from '../../src/reconcile/scheduler.ts';
import { backoffDelay } from '../../src/reconcile/backoff.ts';
import { PorticoError } from '../../src/errors/base.ts';

/** A worker whose calls can be inspected and finished by the test. */
function controllableWorker() {
  const calls: string[] = [];
  const pending = new Map<string, Array<{ resolve: () => void; reject: (e: unknown) => void }>>();
  let active = 0;
  let maxActive = 0;
  const worker = (key: string) => {
    calls.push(key);
    active++;
    maxActive = Math.max(maxActive, active);
    return new Promise<void>((resolve, reject) => {
      const list = pending.get(key) ?? [];
      list.push({
        resolve: () => {
          active--;
          resolve();
        },
        reject: (e) => {
          active--;
          reject(e);
        },
      });
      pending.set(key, list);
    });
  };
  const finish = async (key: string, error?: unknown) => {
    const next = pending.get(key)?.shift();
    assert.ok(next, `no running reconcile of ${key}`);
    if (error === undefined) next.resolve();
    else next.reject(error);
    await new Promise((r) => setImmediate(r));
  };
  return { worker, calls, finish, maxActive: () => maxActive };
}

describe('reconcile queue', () => {
  it('collapses a burst of events for one group into one reconcile after the hold-off', async () => {
    const scheduler = new ManualScheduler();
    const w = controllableWorker();
    const q = new ReconcileQueue<string>({ worker: w.worker, scheduler, holdOffMs: 100 });
    for (let i = 0; i < 10; i++) q.enqueue('shop');
    await scheduler.advance(99);
    assert.deepEqual(w.calls, []);
    await scheduler.advance(1);
    assert.deepEqual(w.calls, ['shop']);
    await w.finish('shop');
    await q.idle();
    assert.equal(w.calls.length, 1);
  });

  it('never runs one group twice at once, and reruns it once when events arrive mid-run', async () => {
    const scheduler = new ManualScheduler();
    const w = controllableWorker();
    const q = new ReconcileQueue<string>({ worker: w.worker, scheduler, holdOffMs: 10 });
    q.enqueue('a');
    await scheduler.advance(10);
    q.enqueue('a');
    q.enqueue('a');
    await scheduler.advance(100);
    assert.deepEqual(w.calls, ['a'], 'no second run while the first is in flight');
    await w.finish('a');
    await scheduler.advance(10);
    assert.deepEqual(w.calls, ['a', 'a']);
    await w.finish('a');
    await q.idle();
    assert.equal(w.calls.length, 2);
  });

  it('runs at most `concurrency` groups at a time', async () => {
    const scheduler = new ManualScheduler();
    const w = controllableWorker();
    const q = new ReconcileQueue<string>({ worker: w.worker, scheduler, holdOffMs: 0, concurrency: 2 });
    for (const k of ['a', 'b', 'c', 'd']) q.enqueue(k);
    await scheduler.advance(0);
    assert.deepEqual(w.calls, ['a', 'b']);
    assert.equal(q.depth, 2);
    await w.finish('a');
    assert.deepEqual(w.calls, ['a', 'b', 'c']);
    await w.finish('b');
    await w.finish('c');
    await w.finish('d');
    await q.idle();
    assert.equal(w.maxActive(), 2);
  });

  it('backs a failing group off exponentially while other groups proceed', async () => {
    const scheduler = new ManualScheduler();
    const w = controllableWorker();
    const errors: Array<[string, number, number | undefined]> = [];
    const q = new ReconcileQueue<string>({
      worker: w.worker,
      scheduler,
      holdOffMs: 0,
      concurrency: 1,
      random: () => 0.999,
      backoff: { baseMs: 1000, maxMs: 60_000 },
      onError: (key, _e, failures, retryIn) => errors.push([key, failures, retryIn]),
    });
    q.enqueue('bad');
    q.enqueue('good');
    await scheduler.advance(0);
    await w.finish('bad', new Error('ECONNRESET'));
    assert.deepEqual(w.calls, ['bad', 'good'], 'the healthy group runs right after the failure');
    await w.finish('good');
    assert.equal(q.backingOff, 1);
    await scheduler.advance(998);
    assert.equal(w.calls.length, 2, 'not retried before the backoff');
    await scheduler.advance(2);
    assert.deepEqual(w.calls, ['bad', 'good', 'bad']);
    await w.finish('bad', new PorticoError('Throttling', 'Rate exceeded', { retryable: true }));
    assert.deepEqual(
      errors.map((e) => e.slice(0, 2)),
      [
        ['bad', 1],
        ['bad', 2],
      ],
    );
    assert.equal(errors[1]?.[2], backoffDelay({ baseMs: 1000, maxMs: 60_000 }, 2, 0.999));
    await scheduler.advance(2000);
    await w.finish('bad');
    await q.idle();
    assert.equal(q.backingOff, 0);
  });

  it('does not retry a non-retryable error until the next event, which cuts any wait short', async () => {
    const scheduler = new ManualScheduler();
    const w = controllableWorker();
    const q = new ReconcileQueue<string>({ worker: w.worker, scheduler, holdOffMs: 5 });
    q.enqueue('g');
    await scheduler.advance(5);
    await w.finish('g', new PorticoError('InvalidConfig', 'bad', { retryable: false }));
    await scheduler.advance(3_600_000);
    assert.equal(w.calls.length, 1);
    q.enqueue('g');
    await scheduler.advance(5);
    assert.equal(w.calls.length, 2);
    await w.finish('g');
  });

  it('honours requeueAfterMs from a successful reconcile', async () => {
    const scheduler = new ManualScheduler();
    let runs = 0;
    const q = new ReconcileQueue<string>({
      worker: async () => (++runs === 1 ? { requeueAfterMs: 5000 } : {}),
      scheduler,
      holdOffMs: 0,
    });
    q.enqueue('lb');
    await scheduler.advance(0);
    assert.equal(runs, 1);
    await scheduler.advance(4999);
    assert.equal(runs, 1);
    await scheduler.advance(1);
    assert.equal(runs, 2);
    await scheduler.advance(100_000);
    assert.equal(runs, 2);
  });

  it('stop() waits for running work and drops the rest', async () => {
    const scheduler = new ManualScheduler();
    const w = controllableWorker();
    const q = new ReconcileQueue<string>({ worker: w.worker, scheduler, holdOffMs: 0, concurrency: 1 });
    q.enqueue('a');
    q.enqueue('b');
    await scheduler.advance(0);
    let stopped = false;
    const stopping = q.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(stopped, false, 'still waiting for the running reconcile');
    await w.finish('a');
    await stopping;
    assert.deepEqual(w.calls, ['a']);
    q.enqueue('c');
    await scheduler.advance(1000);
    assert.deepEqual(w.calls, ['a']);
  });
});

describe('backoff', () => {
  it('doubles from the base, stays within [half, full] with jitter, and caps at the maximum', () => {
    const p = { baseMs: 1000, maxMs: 10_000 };
    assert.equal(backoffDelay(p, 1, 0), 500);
    assert.equal(backoffDelay(p, 1, 0.9999), 1000);
    assert.equal(backoffDelay(p, 3, 0.9999), 4000);
    assert.equal(backoffDelay(p, 30, 0.9999), 10_000);
    assert.equal(backoffDelay(p, 1000, 0), 5000);
  });
});
