/**
 * ALB wildcard patterns as RE2 regexes for Envoy `safe_regex` (always a full match). The output uses
 * only syntax RE2 and JavaScript share, with at most one leading `(?i)` flag, so the bundled proxy and
 * a real Envoy read it the same way (docs/envoy-mapping.md, "Conditions → RouteMatch").
 */

const RE2_SPECIAL = /[\\.+*?()|[\]{}^$]/;

/** One literal character, escaped for RE2. */
export function escapeRe2Char(ch: string): string {
  return RE2_SPECIAL.test(ch) ? `\\${ch}` : ch;
}

export function escapeRe2(text: string): string {
  return [...text].map(escapeRe2Char).join('');
}

/**
 * An ALB glob (`*` any run, `?` one character) as an RE2 body. `anyChar` is what a wildcard may
 * consume: host globs never span a `:` so the optional `:port` suffix stays outside them.
 */
export function globToRe2(glob: string, anyChar = '.'): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += `${anyChar}*`;
    else if (ch === '?') out += anyChar;
    else out += escapeRe2Char(ch);
  }
  return out;
}

/** `a` alone, or `(?:a|b|…)` for several alternatives. */
export function alternation(parts: readonly string[]): string {
  return parts.length === 1 ? (parts[0] ?? '') : `(?:${parts.join('|')})`;
}

/** ALB regex values search the value (unless anchored); Envoy matches the whole value. */
export function searchRegex(regexes: readonly string[]): string {
  return `.*${alternation(regexes)}.*`;
}

/** The alternatives of a condition: globs translated, regex values as searches. */
export function conditionAlternatives(
  values: readonly string[],
  regexValues: readonly string[] | undefined,
  anyChar = '.',
): string[] {
  const out = values.map((v) => globToRe2(v, anyChar));
  if (regexValues !== undefined && regexValues.length > 0) out.push(searchRegex(regexValues.map((r) => `(?:${r})`)));
  return out;
}

// ---- query-string -----------------------------------------------------------------------------

function percentEncodings(ch: string): string[] {
  return [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Every raw spelling of one decoded character of a query key or value: the character itself (unless
 * it is a separator or decodes differently), its %-encoding (for a letter, of both cases), `+` for a
 * space. The regex is case-insensitive, so hex digits and the raw letter cover both cases.
 */
function rawSpellings(ch: string, inKey: boolean): string {
  const alternatives: string[] = [];
  const separators = inKey ? '%&#+=' : '%&#+';
  if (ch === ' ') alternatives.push('\\+');
  else if (!separators.includes(ch)) alternatives.push(escapeRe2Char(ch));
  const forms = new Set([ch, ch.toLowerCase(), ch.toUpperCase()]);
  for (const form of [...forms].sort()) {
    if ([...form].length !== 1) continue;
    alternatives.push(percentEncodings(form).join(''));
  }
  return alternatives.length === 1 ? (alternatives[0] ?? '') : `(?:${alternatives.join('|')})`;
}

/** A query glob (with `\*`, `\?` as literals) as RE2 over the raw, still %-encoded text. */
function queryGlobToRe2(glob: string, inKey: boolean): { readonly regex: string; readonly nullable: boolean } {
  // Wildcards consume whole decoded characters, never half of a %-escape.
  const anyRun = inKey ? '(?:%[0-9a-f]{2}|[^&=%])*' : '(?:%[0-9a-f]{2}|[^&%])*';
  const oneChar = inKey ? '(?:%[0-9a-f]{2}(?:%[89ab][0-9a-f])*|[^&=%])' : '(?:%[0-9a-f]{2}(?:%[89ab][0-9a-f])*|[^&%])';
  const chars = [...glob];
  let regex = '';
  let nullable = true;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    const next = chars[i + 1];
    if (ch === '\\' && (next === '*' || next === '?')) {
      regex += rawSpellings(next, inKey);
      nullable = false;
      i++;
    } else if (ch === '*') regex += anyRun;
    else if (ch === '?') {
      regex += oneChar;
      nullable = false;
    } else {
      regex += rawSpellings(ch, inKey);
      nullable = false;
    }
  }
  return { regex, nullable };
}

/** One `{key?, value}` pair as the RE2 of a single query parameter. */
function queryPairRe2(pair: { readonly key?: string; readonly value: string }): string {
  const key = pair.key === undefined ? { regex: '[^&=]*', nullable: true } : queryGlobToRe2(pair.key, true);
  const value = queryGlobToRe2(pair.value, false);
  if (!value.nullable) return `${key.regex}=${value.regex}`;
  // A parameter without `=` has the empty value; an empty parameter (`a&&b`) is no parameter at all,
  // and a nullable key glob is all `*`, so its non-empty form is simply one or more key characters.
  const bareKey = key.nullable ? '[^&=]+' : key.regex;
  return `(?:${key.regex}=${value.regex}|${bareKey})`;
}

/**
 * The full-match regex over `:path` (path and query) for an ALB query-string condition: some query
 * parameter matches one of the pairs, keys and values compared case-insensitively after decoding.
 */
export function queryStringRegex(pairs: readonly { readonly key?: string; readonly value: string }[]): string {
  return `(?i)[^?]*\\?(?:[^&]*&)*${alternation(pairs.map(queryPairRe2))}(?:&.*)?`;
}
