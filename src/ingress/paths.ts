import type { HostHeaderCondition, PathPatternCondition } from '../model/stack.ts';
import type { HttpIngressPath } from './types.ts';

/**
 * Ingress hosts and paths → ALB conditions, plus the facts the group-wide ordering needs
 * (Kubernetes semantics: exact host before wildcard host before no host; Exact before Prefix;
 * longer Prefix first).
 */

/** Characters ALB accepts in a path-pattern value (reference/elbv2.md §4.2), wildcards aside. */
const PATH_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+&]*$/;
const MAX_VALUE_LENGTH = 128;

/** Where a path sorts: 0 exact, 1 prefix-like, 2 regex, 3 no path at all. */
export type PathRank = 0 | 1 | 2 | 3;

export interface PathMatch {
  /** Absent: the rule has no path condition. */
  readonly condition?: PathPatternCondition;
  readonly rank: PathRank;
  /** Length of the literal part that must match (longer sorts first within a rank). */
  readonly length: number;
  /** Breaks ties within a rank and length: Prefix (0) before ImplementationSpecific (1). */
  readonly tieBreak: number;
}

function literalPrefixLength(pattern: string): number {
  const i = pattern.search(/[*?]/);
  return i === -1 ? pattern.length : i;
}

function checkChars(p: string): string | undefined {
  if (p.length > MAX_VALUE_LENGTH) return `is longer than ${MAX_VALUE_LENGTH} characters`;
  if (!p.startsWith('/')) return `must start with '/'`;
  if (!PATH_CHARS.test(p.replace(/[*?]/g, ''))) {
    return `contains characters ALB path patterns do not allow (allowed: letters, digits and _-.$/~"'@:+&*?)`;
  }
  return undefined;
}

/** The path condition for one Ingress path, or the reason it cannot be expressed. */
export function translatePath(p: HttpIngressPath, useRegex: boolean): { match: PathMatch } | { error: string } {
  const path = p.path;
  if (path === undefined || path === '') {
    if (p.pathType !== 'ImplementationSpecific') return { error: `a ${p.pathType} path must not be empty` };
    return { match: { rank: 3, length: 0, tieBreak: 0 } };
  }
  if (p.pathType === 'ImplementationSpecific' && useRegex) {
    // As the AWS controller: the first character (the leading '/') is dropped and the rest is a regex.
    const regex = path.slice(1);
    if (regex === '' || regex.length > MAX_VALUE_LENGTH)
      return { error: `regex must be 1-${MAX_VALUE_LENGTH} characters` };
    try {
      new RegExp(regex);
    } catch (e: unknown) {
      return { error: `is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}` };
    }
    return {
      match: {
        condition: { field: 'path-pattern', values: [], regexValues: [regex] },
        rank: 2,
        length: 0,
        tieBreak: 0,
      },
    };
  }
  const problem = checkChars(path);
  if (problem !== undefined) return { error: problem };
  const hasWildcard = /[*?]/.test(path);
  if (p.pathType === 'Exact') {
    if (hasWildcard) return { error: `an Exact path must not contain '*' or '?' (ALB would read them as wildcards)` };
    return {
      match: { condition: { field: 'path-pattern', values: [path] }, rank: 0, length: path.length, tieBreak: 0 },
    };
  }
  if (p.pathType === 'Prefix') {
    if (hasWildcard) return { error: `a Prefix path must not contain '*' or '?' (ALB would read them as wildcards)` };
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed === '')
      return { match: { condition: { field: 'path-pattern', values: ['/*'] }, rank: 1, length: 1, tieBreak: 0 } };
    if (`${trimmed}/*`.length > MAX_VALUE_LENGTH) return { error: `is longer than ${MAX_VALUE_LENGTH - 2} characters` };
    return {
      match: {
        condition: { field: 'path-pattern', values: [trimmed, `${trimmed}/*`] },
        rank: 1,
        length: trimmed.length + 1,
        tieBreak: 0,
      },
    };
  }
  // ImplementationSpecific: an ALB wildcard pattern. Without wildcards it matches one path exactly.
  return {
    match: {
      condition: { field: 'path-pattern', values: [path] },
      rank: hasWildcard ? 1 : 0,
      length: literalPrefixLength(path),
      tieBreak: 1,
    },
  };
}

const HOST_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const HOST = new RegExp(`^(\\*\\.)?${HOST_LABEL}(\\.${HOST_LABEL})*$`);

/** Where a host sorts: 0 exact, 1 wildcard, 2 none. */
export type HostRank = 0 | 1 | 2;

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * The host condition for an Ingress rule host. A wildcard host covers exactly one DNS label, as
 * Kubernetes defines, which ALB's `*` (any characters, dots included) cannot say: it becomes a
 * regex value instead.
 */
export function translateHost(
  host: string | undefined,
): { rank: HostRank; condition?: HostHeaderCondition } | { error: string } {
  if (host === undefined) return { rank: 2 };
  const h = host.toLowerCase();
  if (h.length > MAX_VALUE_LENGTH || !HOST.test(h)) {
    return {
      error: `must be a DNS name, optionally with a leading '*.' label, of at most ${MAX_VALUE_LENGTH} characters`,
    };
  }
  if (!h.includes('.')) return { error: 'must contain at least one dot (ALB host conditions require it)' };
  if (h.startsWith('*.')) {
    return {
      rank: 1,
      condition: { field: 'host-header', values: [], regexValues: [`^[^.]+\\.${escapeRegex(h.slice(2))}$`] },
    };
  }
  return { rank: 0, condition: { field: 'host-header', values: [h] } };
}

/** Whether `host` (an exact name) is covered by `pattern` (exact or `*.` wildcard of one label). */
export function hostCovered(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h) return true;
  if (!p.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}
