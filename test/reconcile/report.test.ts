import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TranslateResult } from '../../src/ingress/translate.ts';
import type { Ingress } from '../../src/ingress/types.ts';
import type { EventRecorder } from '../../src/k8s/events.ts';
import type { IngressWriter } from '../../src/k8s/ingress-writer.ts';
import { silentLogger } from '../../src/log.ts';
import { diagnostic } from '../../src/model/diagnostic.ts';
import { MemberReporter } from '../../src/reconcile/report.ts';

function ingress(name: string): Ingress {
  return {
    kind: 'Ingress',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: {}, annotations: {}, finalizers: [] },
    spec: { rules: [], tls: [] },
    status: { loadBalancer: { ingress: [] } },
  };
}

/** A reporter whose writes succeed and whose Events are collected as `name:reason`. */
function reporter() {
  const events: string[] = [];
  const writer = {
    setLoadBalancerStatus: () => Promise.resolve(false),
    setConditions: () => Promise.resolve(false),
  } as unknown as IngressWriter;
  const recorder = {
    record: (target: { name: string }, _type: string, reason: string) => {
      events.push(`${target.name}:${reason}`);
      return Promise.resolve();
    },
  } as unknown as EventRecorder;
  return { events, reporter: new MemberReporter({ writer, events: recorder, now: () => 0, log: silentLogger() }) };
}

function badPath(name: string): TranslateResult {
  return {
    groupId: 'g',
    diagnostics: [
      diagnostic('InvalidPath', { kind: 'Ingress', namespace: 'default', name }, 'spec.rules[0]', 'bad path'),
    ],
    members: [],
    excluded: [{ namespace: 'default', name }],
    deleting: [],
  };
}

/** One report of a group whose reconcile programmed nothing. */
function tell(r: MemberReporter, group: string, result: TranslateResult, live: Ingress[]): Promise<void> {
  return r.report({ group, result, live, programmed: false, address: undefined, failure: undefined });
}

describe('MemberReporter', () => {
  it('reports an unchanged diagnostic once, and again after the member left the group and came back', async () => {
    const { events, reporter: r } = reporter();
    const a = ingress('a');
    const report = (live: Ingress[]) => tell(r, 'g', badPath('a'), live);
    await report([a]);
    await report([a]);
    assert.deepEqual(events, ['a:InvalidPath']);
    // Deleted (or moved to another group): forgotten, so its return is news again.
    await report([]);
    await report([a]);
    assert.deepEqual(events, ['a:InvalidPath', 'a:InvalidPath']);
  });

  it('keeps what it told members per group', async () => {
    const { events, reporter: r } = reporter();
    const a = ingress('a');
    await tell(r, 'g1', badPath('a'), [a]);
    // Another group's report does not prune g1's memory.
    await tell(r, 'g2', badPath('b'), []);
    await tell(r, 'g1', badPath('a'), [a]);
    assert.deepEqual(events, ['a:InvalidPath']);
  });
});
