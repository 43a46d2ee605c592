/**
 * The route index: first-match-in-list semantics over thousands of routes without testing them all.
 * Every route gets the set of request host keys it can possibly match (from a literal `:authority`
 * matcher) and the set of first path segments (from a literal path, prefix or regex prefix); routes
 * with no such knowledge go to "any". A lookup walks at most four sorted lists of route positions
 * (host+segment, host+any, any+segment, any+any) in merged order, so the first route that really
 * matches is still the first in configuration order. The index only filters; each candidate route's
 * full matcher decides.
 */

/** Host key of a request or a literal: lowercased, without a `:port` suffix. */
export function hostKey(authority: string): string {
  let end = authority.length;
  const colon = authority.lastIndexOf(':');
  if (colon !== -1 && authority.charCodeAt(0) !== 91 /* [ */) end = colon;
  else if (colon !== -1 && authority.lastIndexOf(']') < colon) end = colon;
  const h = end === authority.length ? authority : authority.slice(0, end);
  return hasUpper(h) ? h.toLowerCase() : h;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/** The first segment of a path: `/api/v1` → `api`, `/` → ``. */
export function firstSegment(path: string): string {
  const slash = path.indexOf('/', 1);
  return slash === -1 ? path.slice(1) : path.slice(1, slash);
}

/** Anything with a full matcher. */
export interface Matchable<I> {
  matches(input: I): boolean;
}

export interface IndexKeys {
  /** Host keys this route can match; undefined = any host. */
  readonly hosts?: readonly string[];
  /** First path segments this route can match; undefined = any path. */
  readonly segments?: readonly string[];
}

interface SegmentBuckets {
  readonly bySegment: Map<string, Int32Array>;
  anySegment: Int32Array;
}

interface Building {
  readonly bySegment: Map<string, number[]>;
  readonly anySegment: number[];
}

const EMPTY = new Int32Array(0);
const NONE = 2 ** 31 - 1;

function newBuckets(): Building {
  return { bySegment: new Map(), anySegment: [] };
}

function freeze(b: Building): SegmentBuckets {
  return {
    bySegment: new Map([...b.bySegment].map(([k, v]) => [k, Int32Array.from(v)])),
    anySegment: Int32Array.from(b.anySegment),
  };
}

function addTo(b: Building, segments: readonly string[] | undefined, position: number): void {
  if (segments === undefined) {
    b.anySegment.push(position);
    return;
  }
  for (const s of new Set(segments)) {
    let list = b.bySegment.get(s);
    if (list === undefined) b.bySegment.set(s, (list = []));
    list.push(position);
  }
}

export class RouteIndex {
  private readonly byHost = new Map<string, SegmentBuckets>();
  private readonly anyHost: SegmentBuckets;
  /** Whether any route is host-indexed; when not, the host key need not be computed. */
  private readonly usesHosts: boolean;

  /** `keys[i]` are the keys of route i, in configuration order. */
  constructor(keys: readonly IndexKeys[]) {
    const byHost = new Map<string, Building>();
    const anyHost = newBuckets();
    keys.forEach((k, position) => {
      if (k.hosts === undefined) {
        addTo(anyHost, k.segments, position);
        return;
      }
      for (const h of new Set(k.hosts)) {
        let b = byHost.get(h);
        if (b === undefined) byHost.set(h, (b = newBuckets()));
        addTo(b, k.segments, position);
      }
    });
    for (const [h, b] of byHost) this.byHost.set(h, freeze(b));
    this.anyHost = freeze(anyHost);
    this.usesHosts = this.byHost.size > 0;
  }

  /**
   * Tests candidate routes in configuration order until one matches; returns its position or -1.
   * Allocation-free: four cursors over the pre-sorted candidate lists.
   */
  find<I>(authority: string, path: string, routes: readonly Matchable<I>[], input: I): number {
    const seg = firstSegment(path);
    const hb = this.usesHosts ? this.byHost.get(hostKey(authority)) : undefined;
    const a = (hb === undefined ? undefined : hb.bySegment.get(seg)) ?? EMPTY;
    const b = hb === undefined ? EMPTY : hb.anySegment;
    const c = this.anyHost.bySegment.get(seg) ?? EMPTY;
    const d = this.anyHost.anySegment;
    let ia = 0;
    let ib = 0;
    let ic = 0;
    let id = 0;
    const na = a.length;
    const nb = b.length;
    const nc = c.length;
    const nd = d.length;
    for (;;) {
      // Int32Array reads past the end give undefined; the explicit bounds keep this monomorphic.
      const va = ia < na ? a[ia] : NONE;
      const vb = ib < nb ? b[ib] : NONE;
      const vc = ic < nc ? c[ic] : NONE;
      const vd = id < nd ? d[id] : NONE;
      let best = va as number;
      if ((vb as number) < best) best = vb as number;
      if ((vc as number) < best) best = vc as number;
      if ((vd as number) < best) best = vd as number;
      if (best === NONE) return -1;
      if (best === va) ia++;
      else if (best === vb) ib++;
      else if (best === vc) ic++;
      else id++;
      if (routes[best]?.matches(input) === true) return best;
    }
  }
}
