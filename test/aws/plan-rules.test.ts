import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planRules } from '../../src/aws/plan-rules.ts';
import type { Operation } from '../../src/aws/plan-operations.ts';
import { actualRule, desiredRule, replay, routeTo } from './support/rules.ts';

const opsSummary = (ops: readonly Operation[]) =>
  ops.map((o) => {
    if (o.op === 'createRule') return `create ${o.key}@${o.priority}`;
    if (o.op === 'deleteRule') return `delete @${o.priority}`;
    if (o.op === 'setRulePriorities')
      return `move ${o.priorities.map((p) => `${'arn' in p.rule ? p.rule.arn.split('/')[1] : p.rule.created}->${p.priority}`).join(' ')}`;
    return o.op;
  });

describe('planRules: make-before-break rule changes on one listener', () => {
  it('an unchanged rule set plans nothing', () => {
    const r = planRules({
      port: 80,
      desired: [desiredRule(1, '/a', 'a'), desiredRule(2, '/b', 'b')],
      actual: [actualRule(1, '/a', 'a'), actualRule(2, '/b', 'b')],
      capacity: 98,
    });
    assert.deepEqual(r.operations, []);
  });

  it('a rule appended at a free priority is created in place, with no SetRulePriorities', () => {
    const r = planRules({
      port: 80,
      desired: [desiredRule(1, '/a', 'a'), desiredRule(2, '/b', 'b')],
      actual: [actualRule(1, '/a', 'a')],
      capacity: 99,
    });
    assert.deepEqual(opsSummary(r.operations), ['create 80#2@2']);
  });

  it('inserting ahead of existing rules stages the new rule at the bottom, then moves everything in one call', () => {
    const r = planRules({
      port: 80,
      desired: [desiredRule(1, '/api/v2/*', 'v2'), desiredRule(2, '/api/*', 'api'), desiredRule(3, '/*', 'web')],
      actual: [actualRule(1, '/api/*', 'api'), actualRule(2, '/*', 'web')],
      capacity: 98,
    });
    assert.deepEqual(opsSummary(r.operations), ['create 80#1@3', 'move 80#1->1 1->2 2->3']);
  });

  it('a changed rule is a new rule plus a parked old one deleted afterwards (never ModifyRule)', () => {
    const r = planRules({
      port: 80,
      desired: [desiredRule(1, '/a', 'a2')],
      actual: [actualRule(1, '/a', 'a1')],
      capacity: 99,
    });
    assert.deepEqual(opsSummary(r.operations), ['create 80#1@2', 'move 80#1->1 1->2', 'delete @2']);
  });

  it('removed rules are deleted bottom-up when nothing has to move', () => {
    const r = planRules({
      port: 80,
      desired: [desiredRule(1, '/a', 'a')],
      actual: [actualRule(1, '/a', 'a'), actualRule(2, '/b', 'b'), actualRule(3, '/c', 'c')],
      capacity: 97,
    });
    assert.deepEqual(opsSummary(r.operations), ['delete @3', 'delete @2']);
  });

  it('at the rule quota, old rules are deleted before new ones are created', () => {
    const r = planRules({
      port: 80,
      desired: [desiredRule(1, '/x', 'x')],
      actual: [actualRule(1, '/a', 'a')],
      capacity: 0,
    });
    assert.equal(r.deletedFirst, true);
    assert.deepEqual(opsSummary(r.operations), ['delete @1', 'create 80#1@1']);
  });

  it('refuses to stage rules when no priority is left below the existing ones', () => {
    assert.throws(
      () =>
        planRules({
          port: 80,
          desired: [desiredRule(1, '/x', 'x'), desiredRule(2, '/a', 'a')],
          actual: [actualRule(50000, '/a', 'a')],
          capacity: 10,
        }),
      /no free priorities/,
    );
  });
});

describe('planRules property: no intermediate state routes a request where neither old nor new rules would', () => {
  const patterns = ['/*', '/a*', '/a/*', '/a/b*', '/b*', '/b/c', '/a/b/c', '/c?', '/a?*'];
  const paths = ['/', '/a', '/a/', '/a/b', '/a/b/c', '/b', '/b/c', '/c1', '/ab', '/x'];
  const ruleSet = fc.uniqueArray(
    fc.record({ pattern: fc.constantFrom(...patterns), tg: fc.constantFrom('t1', 't2', 't3') }),
    { maxLength: 7, selector: (r) => `${r.pattern}|${r.tg}` },
  );

  it('holds for random old and new rule sets', () => {
    fc.assert(
      fc.property(
        ruleSet,
        ruleSet,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 4 }),
        (olds, news, gap, capacitySlack) => {
          const actual = olds.map((r, i) => actualRule(1 + i * gap, r.pattern, r.tg));
          const desired = news.map((r, i) => desiredRule(1 + i, r.pattern, r.tg));
          const capacity = news.length + capacitySlack;
          const { operations, deletedFirst } = planRules({ port: 80, desired, actual, capacity });
          const requests = paths.map((p) => ({ path: p, method: 'GET' }));
          const finalRules = replay(actual, operations, (rules, step) => {
            if (deletedFirst) return; // The quota fallback is allowed to fall back to the default action.
            for (const req of requests) {
              const now = routeTo(rules, req);
              const before = routeTo(actual, req);
              const after = routeTo(desired, req);
              assert.ok(now === before || now === after, `${step}: ${req.path} → ${now}, old ${before}, new ${after}`);
            }
          });
          const sorted = [...finalRules].sort((a, b) => a.priority - b.priority);
          assert.deepEqual(
            sorted.map((r) => [r.priority, r.content]),
            desired.map((r) => [r.priority, r.content]),
          );
        },
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});
