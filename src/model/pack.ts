import { canonicalJson } from './canonical.ts';
import { wildcardMatch } from './match.ts';
import { ruleValueCount, ruleWildcardCount, conditionValueCount } from './quotas.ts';
import { ALB_LIMITS } from './stack.ts';
import type { Condition, ListenerSpec, RuleSpec, Stack } from './stack.ts';

/**
 * Rule packing: rules that do the same thing are merged into one ALB rule, within ALB's value
 * limits, only where that provably cannot change which action any request gets.
 *
 * Why it is safe. Rules are taken in priority order. A later rule R may join an earlier rule T
 * when (1) both have identical actions and transforms; (2) their conditions differ in at most one
 * condition, whose values are then OR-ed, so the merged rule matches exactly T ∪ R; and (3) every
 * rule between T and R either never matches a request R matches (provably disjoint conditions)
 * or does the same thing. Moving R up past such rules changes no request's outcome.
 */

/** ALB: at most three match evaluations per condition (five per rule, see ALB_LIMITS). */
export const VALUES_PER_CONDITION = 3;

/** How far back a rule looks for a partner; bounds the cost on very large listeners. */
const SCAN_WINDOW = 200;

function hasWildcard(s: string): boolean {
  return /[*?]/.test(s);
}

function literalEnds(p: string, caseInsensitive: boolean): { prefix: string; suffix: string } {
  const s = caseInsensitive ? p.toLowerCase() : p;
  const first = s.search(/[*?]/);
  const last = Math.max(s.lastIndexOf('*'), s.lastIndexOf('?'));
  return { prefix: s.slice(0, first), suffix: s.slice(last + 1) };
}

/** Whether no string matches both wildcard patterns (false when unsure). */
export function patternsDisjoint(a: string, b: string, caseInsensitive: boolean): boolean {
  const wa = hasWildcard(a);
  const wb = hasWildcard(b);
  if (!wa && !wb) return caseInsensitive ? a.toLowerCase() !== b.toLowerCase() : a !== b;
  if (!wa) return !wildcardMatch(b, a, caseInsensitive);
  if (!wb) return !wildcardMatch(a, b, caseInsensitive);
  const ea = literalEnds(a, caseInsensitive);
  const eb = literalEnds(b, caseInsensitive);
  const prefixClash = !ea.prefix.startsWith(eb.prefix) && !eb.prefix.startsWith(ea.prefix);
  const suffixClash = !ea.suffix.endsWith(eb.suffix) && !eb.suffix.endsWith(ea.suffix);
  return prefixClash || suffixClash;
}

function regexDisjointFromLiteral(regex: string, literal: string, caseInsensitive: boolean): boolean {
  if (hasWildcard(literal)) return false;
  try {
    return !new RegExp(regex).test(caseInsensitive ? literal.toLowerCase() : literal);
  } catch {
    return false;
  }
}

type Matchable = { values: readonly string[]; regexValues?: readonly string[] };

function valueSetsDisjoint(a: Matchable, b: Matchable, caseInsensitive: boolean): boolean {
  const ar = a.regexValues ?? [];
  const br = b.regexValues ?? [];
  if (ar.length > 0 && br.length > 0) return false;
  for (const x of a.values) {
    for (const y of b.values) if (!patternsDisjoint(x, y, caseInsensitive)) return false;
    for (const r of br) if (!regexDisjointFromLiteral(r, x, caseInsensitive)) return false;
  }
  for (const r of ar) for (const y of b.values) if (!regexDisjointFromLiteral(r, y, caseInsensitive)) return false;
  return true;
}

function conditionsDisjoint(a: Condition, b: Condition): boolean {
  if (a.field === 'host-header' && b.field === 'host-header') return valueSetsDisjoint(a, b, true);
  if (a.field === 'path-pattern' && b.field === 'path-pattern') return valueSetsDisjoint(a, b, false);
  if (a.field === 'http-request-method' && b.field === 'http-request-method')
    return !a.values.some((v) => b.values.includes(v));
  return false;
}

/** Whether no request can match both rules (false when that cannot be shown). */
export function rulesDisjoint(a: RuleSpec, b: RuleSpec): boolean {
  return a.conditions.some((ca) => b.conditions.some((cb) => conditionsDisjoint(ca, cb)));
}

function slotOf(c: Condition): string {
  return c.field === 'http-header' ? `http-header:${c.headerName.toLowerCase()}` : c.field;
}

function unionStrings(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function unionCondition(a: Condition, b: Condition): Condition | undefined {
  if (a.field === 'query-string' && b.field === 'query-string') {
    const seen = new Set(a.values.map((v) => canonicalJson(v)));
    return { ...a, values: [...a.values, ...b.values.filter((v) => !seen.has(canonicalJson(v)))] };
  }
  if (a.field === 'http-request-method' && b.field === 'http-request-method')
    return { ...a, values: unionStrings(a.values, b.values) };
  if (a.field === 'source-ip' && b.field === 'source-ip') return { ...a, values: unionStrings(a.values, b.values) };
  if (
    (a.field === 'host-header' && b.field === 'host-header') ||
    (a.field === 'path-pattern' && b.field === 'path-pattern') ||
    (a.field === 'http-header' && b.field === 'http-header')
  ) {
    const ar = a.regexValues ?? [];
    const br = b.regexValues ?? [];
    if (ar.length > 0 !== br.length > 0 || (ar.length > 0 && (a.values.length > 0 || b.values.length > 0)))
      return undefined;
    return ar.length > 0
      ? { ...a, values: [], regexValues: unionStrings(ar, br) }
      : { ...a, values: unionStrings(a.values, b.values) };
  }
  return undefined;
}

/** The rule matching exactly a ∪ b, or undefined when that is not one ALB rule within limits. */
function mergeConditions(a: RuleSpec, b: RuleSpec): Condition[] | undefined {
  const slotsA = a.conditions.map(slotOf);
  const slotsB = b.conditions.map(slotOf);
  if (new Set(slotsA).size !== slotsA.length || new Set(slotsB).size !== slotsB.length) return undefined;
  if (slotsA.length !== slotsB.length || !slotsA.every((s) => slotsB.includes(s))) return undefined;
  let differing = -1;
  for (const [i, ca] of a.conditions.entries()) {
    const cb = b.conditions[slotsB.indexOf(slotsA[i] ?? '')];
    if (cb === undefined) return undefined;
    // Plain JSON is enough: equal text means equal conditions; unequal text for equal conditions only costs a merge.
    if (JSON.stringify(ca) === JSON.stringify(cb)) continue;
    if (differing !== -1) return undefined;
    differing = i;
  }
  if (differing === -1) return [...a.conditions];
  const ca = a.conditions[differing];
  const cb = b.conditions[slotsB.indexOf(slotsA[differing] ?? '')];
  if (ca === undefined || cb === undefined) return undefined;
  const merged = unionCondition(ca, cb);
  if (merged === undefined || conditionValueCount(merged) > VALUES_PER_CONDITION) return undefined;
  const conditions = a.conditions.map((c, i) => (i === differing ? merged : c));
  const probe: RuleSpec = { priority: 1, conditions, actions: [], sources: [] };
  if (
    ruleValueCount(probe) > ALB_LIMITS.conditionValuesPerRule ||
    ruleWildcardCount(probe) > ALB_LIMITS.wildcardsPerRule
  )
    return undefined;
  return conditions;
}

/** Equal keys mean equal outcomes (key order can only make equal outcomes look different, which is safe). */
function outcomeKey(r: RuleSpec): string {
  return JSON.stringify([r.actions, r.transforms ?? []]);
}

/**
 * Packs rules (taken in priority order) and renumbers them 1, 2, 3…; the relative order of what
 * remains is kept, so routing is unchanged (see the module comment).
 */
export function packRules(rules: readonly RuleSpec[]): RuleSpec[] {
  const ordered = [...rules].sort((a, b) => a.priority - b.priority);
  const out: Array<{ rule: RuleSpec; key: string }> = [];
  const seenKeys = new Map<string, number>();
  for (const rule of ordered) {
    const key = outcomeKey(rule);
    let placed = false;
    // Only a rule with the same outcome can be a partner: skip the backward scan when there is none.
    const partners = seenKeys.get(key) ?? 0;
    seenKeys.set(key, partners + 1);
    for (let j = out.length - 1; partners > 0 && j >= 0 && j >= out.length - SCAN_WINDOW; j--) {
      const t = out[j];
      if (t === undefined) break;
      if (t.key === key) {
        const conditions = mergeConditions(t.rule, rule);
        if (conditions !== undefined) {
          const sources = [...new Set([...t.rule.sources, ...rule.sources])].sort();
          out[j] = { rule: { ...t.rule, conditions, sources }, key };
          placed = true;
          break;
        }
        continue; // same outcome: moving past it changes nothing
      }
      if (!rulesDisjoint(t.rule, rule)) break;
    }
    if (!placed) out.push({ rule, key });
  }
  return out.map((o, i) => ({ ...o.rule, priority: i + 1 }));
}

export function packListener(listener: ListenerSpec): ListenerSpec {
  return { ...listener, rules: packRules(listener.rules) };
}

export function packStack(stack: Stack): Stack {
  return { ...stack, listeners: stack.listeners.map(packListener) };
}
