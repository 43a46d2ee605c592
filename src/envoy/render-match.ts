import type { Condition, PathPatternCondition } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { alternation, conditionAlternatives, escapeRe2, queryStringRegex } from './render-regex.ts';

/**
 * The RouteMatch of one ALB rule: every condition except source-ip (rendered as filter chains, see
 * render-listener.ts) becomes part of one Envoy RouteMatch, so all must match, as in ALB.
 */

function regexMatcher(name: string, regex: string): JsonObject {
  return { name, string_match: { safe_regex: { regex } } };
}

/** The path specifier: exact `path`, `prefix` for `literal*`, else a full-match regex. */
function pathSpecifier(condition: PathPatternCondition | undefined): JsonObject {
  if (condition === undefined) return { prefix: '/' };
  const regexValues = condition.regexValues ?? [];
  const [only, second] = condition.values;
  // Kubernetes Prefix `/p` is translated to ALB [`/p`, `/p/*`]: exactly Envoy's path_separated_prefix.
  if (condition.values.length === 2 && regexValues.length === 0 && only !== undefined && second !== undefined) {
    const [base, star] = only.length < second.length ? [only, second] : [second, only];
    if (star === `${base}/*` && /^[^?#*]+[^?#/*]$/.test(base)) return { path_separated_prefix: base };
  }
  if (condition.values.length === 1 && regexValues.length === 0 && only !== undefined) {
    if (!/[*?]/.test(only)) return { path: only };
    const body = only.slice(0, -1);
    // A prefix without `?` matches `:path` with its query exactly as the path alone would.
    if (only.endsWith('*') && body.length > 0 && !/[*?]/.test(body)) return { prefix: body };
  }
  return { safe_regex: { regex: alternation(conditionAlternatives(condition.values, regexValues)) } };
}

function headerMatcher(condition: Exclude<Condition, PathPatternCondition>): JsonObject | undefined {
  switch (condition.field) {
    case 'host-header':
      return regexMatcher(
        ':authority',
        `(?i)${alternation(conditionAlternatives(condition.values, condition.regexValues, '[^:]'))}(:[0-9]+)?`,
      );
    case 'http-header': {
      const globs =
        condition.values.length > 0
          ? `(?i)${alternation(conditionAlternatives(condition.values, undefined))}`
          : undefined;
      const regexes = conditionAlternatives([], condition.regexValues);
      const regex = globs === undefined ? alternation(regexes) : regexes.length === 0 ? globs : undefined;
      // Mixing case-insensitive globs with case-sensitive regexes in one RE2 would need a flag group
      // mid-pattern; ALB forbids the mix anyway, so the globs win and the regexes are dropped.
      return regexMatcher(condition.headerName.toLowerCase(), regex ?? globs ?? '');
    }
    case 'http-request-method': {
      const [only] = condition.values;
      if (condition.values.length === 1 && only !== undefined)
        return { name: ':method', string_match: { exact: only } };
      return regexMatcher(':method', condition.values.map(escapeRe2).join('|'));
    }
    case 'query-string':
      return regexMatcher(':path', queryStringRegex(condition.values));
    case 'source-ip':
      return undefined;
  }
}

/** The Envoy RouteMatch for a rule's conditions (source-ip excluded). */
export function renderRouteMatch(conditions: readonly Condition[]): JsonObject {
  let path: PathPatternCondition | undefined;
  const headers: JsonObject[] = [];
  for (const condition of conditions) {
    if (condition.field === 'path-pattern') {
      if (path === undefined) path = condition;
      else {
        // ALB allows one path-pattern per rule; a second still has to hold, so it checks `:path` (a
        // wildcard never crosses the `?`; an anchored regex value is an approximation there).
        const alternatives = conditionAlternatives(condition.values, condition.regexValues, '[^?]');
        headers.push(regexMatcher(':path', `${alternation(alternatives)}(\\?.*)?`));
      }
    } else {
      const matcher = headerMatcher(condition);
      if (matcher !== undefined) headers.push(matcher);
    }
  }
  return { ...pathSpecifier(path), ...(headers.length > 0 ? { headers } : {}) };
}
