import { parseCidr } from '../model/match.ts';
import type { ListenerSpec, RuleSpec } from '../model/stack.ts';

/**
 * source-ip conditions as Envoy filter chains (docs/envoy-mapping.md, "source-ip: filter chains, not
 * routes"). Each distinct CIDR gets a chain matched by `source_prefix_ranges` whose routes are the
 * rules that can match an address whose longest matching CIDR is that one.
 */

export interface SourceCidr {
  /** Normalised `network/prefix`. */
  readonly cidr: string;
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

function formatNetwork(version: 4 | 6, network: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((network >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((network >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

/** A CIDR normalised to its network address, or undefined when malformed. */
export function normaliseCidr(text: string): SourceCidr | undefined {
  const c = parseCidr(text.trim());
  if (c === undefined) return undefined;
  const address = formatNetwork(c.version, c.network);
  return { cidr: `${address}/${c.prefix}`, version: c.version, network: c.network, prefix: c.prefix };
}

/** Whether `outer` contains every address of `inner`. */
export function cidrCovers(outer: SourceCidr, inner: SourceCidr): boolean {
  if (outer.version !== inner.version || outer.prefix > inner.prefix) return false;
  const bits = outer.version === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return outer.prefix === 0 || inner.network >> shift === outer.network >> shift;
}

/** The CIDRs of a rule's source-ip conditions (undefined: the rule has none). Malformed ones never match. */
export function ruleSourceCidrs(rule: RuleSpec): SourceCidr[][] | undefined {
  const conditions = rule.conditions.filter((c) => c.field === 'source-ip');
  if (conditions.length === 0) return undefined;
  return conditions.map((c) => c.values.map(normaliseCidr).filter((x): x is SourceCidr => x !== undefined));
}

/** Every distinct source CIDR of a listener, sorted (IPv4 first, then by network, then prefix). */
export function listenerSourceCidrs(listener: ListenerSpec): SourceCidr[] {
  const byText = new Map<string, SourceCidr>();
  for (const rule of listener.rules) {
    for (const set of ruleSourceCidrs(rule) ?? []) for (const c of set) byText.set(c.cidr, c);
  }
  return [...byText.values()].sort((a, b) =>
    a.version !== b.version
      ? a.version - b.version
      : a.network !== b.network
        ? a.network < b.network
          ? -1
          : 1
        : a.prefix - b.prefix,
  );
}

/**
 * Whether a rule belongs in the chain for `region` (undefined: the chain without source ranges).
 * Every source-ip condition of the rule must have a CIDR covering the region.
 */
export function ruleInRegion(rule: RuleSpec, region: SourceCidr | undefined): boolean {
  const sets = ruleSourceCidrs(rule);
  if (sets === undefined) return true;
  if (region === undefined) return false;
  return sets.every((set) => set.some((c) => cidrCovers(c, region)));
}
