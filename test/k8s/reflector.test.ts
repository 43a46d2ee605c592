import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reflector } from '../../src/k8s/reflector.ts';
import type { ListWatchSource, ReflectorEvent } from '../../src/k8s/reflector.ts';
import { ManualScheduler } from '../../src/reconcile/scheduler.ts';
import { silentLogger } from '../../src/log.ts';

type Obj = { metadata: { namespace: string; name: string; resourceVersion: string }; spec?: string };
const obj = (name: string, rv: number, spec = 'x'): Obj => ({
  metadata: { namespace: 'default', name, resourceVersion: String(rv) },
  spec,
});

/**
 * A scripted API server for one kind: the test decides what each list returns and drives the
 * open watch. (The reflector's end-to-end behaviour against the embedded API server is tested
 * separately; this pins the loop's edge cases exactly.)
 */
class ScriptedSource implements ListWatchSource {
  lists: Array<{ items: Obj[]; resourceVersion: string } | Error> = [];
  watchFrom: string[] = [];
  listCalls = 0;
  current: { onEvent: (t: string, o: unknown) => void; onDone: (e: unknown) => void } | undefined;
  watchFailures: unknown[] = [];

  async list() {
    this.listCalls++;
    const next = this.lists.shift();
    if (next === undefined) throw new Error('no scripted list');
    if (next instanceof Error) throw next;
    return next;
  }

  async watch(rv: string, onEvent: (t: string, o: unknown) => void, onDone: (e: unknown) => void) {
    this.watchFrom.push(rv);
    const failure = this.watchFailures.shift();
    if (failure !== undefined) throw failure;
    this.current = { onEvent, onDone };
    return () => {
      const c = this.current;
      this.current = undefined;
      c?.onDone(new Error('aborted'));
    };
  }

  event(type: string, o: unknown) {
    assert.ok(this.current, 'no open watch');
    this.current.onEvent(type, o);
  }

  end(error?: unknown) {
    const c = this.current;
    this.current = undefined;
    c?.onDone(error);
  }
}

function setup(source: ScriptedSource) {
  const scheduler = new ManualScheduler();
  const events: string[] = [];
  const restarts: string[] = [];
  const reflector = new Reflector<Obj>({
    name: 'test',
    source,
    transform: (o) => o as Obj,
    changed: (a, b) => a.spec !== b.spec,
    onEvent: (e: ReflectorEvent<Obj>) => events.push(`${e.type}:${e.key}`),
    scheduler,
    log: silentLogger(),
    silenceTimeoutMs: 60_000,
    random: () => 0,
    onRestart: (r) => restarts.push(r),
  });
  return { scheduler, events, restarts, reflector };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('supervised reflector', () => {
  it('lists, then follows the watch from the list resourceVersion', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [obj('a', 1)], resourceVersion: '10' });
    const { events, reflector } = setup(source);
    reflector.start();
    await reflector.waitForSync();
    await settle();
    assert.deepEqual(source.watchFrom, ['10']);
    source.event('ADDED', obj('b', 11));
    source.event('MODIFIED', obj('b', 12, 'y'));
    source.event('MODIFIED', obj('b', 13, 'y'));
    source.event('DELETED', obj('a', 14));
    assert.deepEqual(events, ['add:default/a', 'add:default/b', 'update:default/b', 'delete:default/a']);
    assert.deepEqual([...reflector.store.keys()], ['default/b']);
    assert.equal(reflector.resourceVersion, '14');
  });

  it('resumes after a clean end of stream from the last resourceVersion, without relisting', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [], resourceVersion: '5' });
    const { reflector } = setup(source);
    reflector.start();
    await reflector.waitForSync();
    await settle();
    source.event('BOOKMARK', { metadata: { resourceVersion: '9' } });
    source.end();
    await settle();
    assert.deepEqual(source.watchFrom, ['5', '9']);
    assert.equal(source.listCalls, 1);
  });

  it('relists after 410 Gone and emits deletes for objects that vanished meanwhile', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [obj('a', 1), obj('b', 2)], resourceVersion: '2' });
    source.lists.push({ items: [obj('b', 2), obj('c', 30)], resourceVersion: '30' });
    const { events, restarts, reflector } = setup(source);
    reflector.start();
    await reflector.waitForSync();
    await settle();
    source.event('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    source.end();
    await settle();
    await settle();
    assert.deepEqual(events, ['add:default/a', 'add:default/b', 'delete:default/a', 'add:default/c']);
    assert.deepEqual(restarts, ['gone']);
    assert.deepEqual(source.watchFrom, ['2', '30']);
  });

  it('backs off and retries after a watch error instead of stopping for good', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [], resourceVersion: '3' });
    const { scheduler, restarts, reflector } = setup(source);
    reflector.start();
    await reflector.waitForSync();
    await settle();
    source.watchFailures.push(new Error('ECONNREFUSED'), Object.assign(new Error('Internal'), { statusCode: 500 }));
    source.end(new Error('ECONNRESET'));
    await settle();
    assert.deepEqual(restarts, ['error']);
    await scheduler.advance(500);
    await scheduler.advance(1000);
    await scheduler.advance(2000);
    assert.deepEqual(source.watchFrom, ['3', '3', '3', '3']);
    assert.ok(source.current, 'a watch is open again');
    assert.deepEqual(restarts, ['error', 'error', 'error']);
  });

  it('retries a failed first list with backoff', async () => {
    const source = new ScriptedSource();
    source.lists.push(new Error('503'), { items: [obj('a', 1)], resourceVersion: '1' });
    const { scheduler, reflector } = setup(source);
    reflector.start();
    await settle();
    assert.equal(reflector.synced, false);
    await scheduler.advance(1000);
    await reflector.waitForSync();
    assert.equal(source.listCalls, 2);
  });

  it('restarts a watch that has been silent past the watchdog limit', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [], resourceVersion: '7' });
    const { scheduler, restarts, reflector } = setup(source);
    reflector.start();
    await reflector.waitForSync();
    await settle();
    await scheduler.advance(30_000);
    source.event('BOOKMARK', { metadata: { resourceVersion: '8' } });
    await scheduler.advance(59_000);
    assert.deepEqual(restarts, [], 'a bookmark counts as life');
    await scheduler.advance(40_000);
    assert.deepEqual(restarts, ['silent']);
    assert.deepEqual(source.watchFrom, ['7', '8']);
    assert.equal(source.listCalls, 1);
  });

  it('stop() closes the watch and no restart follows', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [], resourceVersion: '1' });
    const { scheduler, restarts, reflector } = setup(source);
    reflector.start();
    await reflector.waitForSync();
    await settle();
    reflector.stop();
    await scheduler.advance(600_000);
    assert.equal(source.current, undefined);
    assert.deepEqual(source.watchFrom, ['1']);
    assert.deepEqual(restarts, []);
  });
});
