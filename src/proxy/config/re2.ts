/**
 * RE2 → JavaScript RegExp. Envoy's `safe_regex` is RE2 and always a FULL match, so the result is
 * anchored `^(?:…)$`. RE2 syntax is close to JavaScript's; the differences handled here are the
 * leading flag group `(?i)`/`(?s)`/`(?m)`, `(?P<name>…)` groups, `\A`, `\z`, `\Q…\E` quoting and
 * POSIX classes `[[:alpha:]]`. Constructs JavaScript cannot express with RE2's meaning (ungreedy
 * `(?U)`, flag groups in the middle of a pattern, `\C`) are rejected with a message, never guessed.
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Thrown when an RE2 pattern has no faithful JavaScript translation or does not compile. */
export class RegexTranslationError extends Error {
  override name = 'RegexTranslationError';
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Translates the body of an RE2 pattern (without leading flags). */
function translateBody(src: string): { body: string; unicode: boolean } {
  let out = '';
  let unicode = false;
  let inClass = false;
  // Scoped flag groups opened inside each currently open group (index 0: the top level).
  const opened: string[][] = [[]];
  for (let i = 0; i < src.length; i++) {
    const ch = src.charAt(i);
    if (ch === '\\') {
      const next = src.charAt(i + 1);
      if (next === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = end === -1 ? src.slice(i + 2) : src.slice(i + 2, end);
        out += inClass ? lit.replace(/[\\\]^-]/g, '\\$&') : escapeLiteral(lit);
        i = end === -1 ? src.length : end + 1;
        continue;
      }
      if (next === 'A' && !inClass) out += '^';
      else if (next === 'z' && !inClass) out += '$(?![\\s\\S])';
      else if (next === 'C') throw new RegexTranslationError('\\C (any byte) is not supported');
      else if ((next === 'p' || next === 'P') && src.charAt(i + 2) !== '{') {
        unicode = true;
        out += `\\${next}{${src.charAt(i + 2)}}`;
        i += 2;
        continue;
      } else if (next === 'p' || next === 'P') {
        unicode = true;
        out += `\\${next}`;
      } else out += `\\${next}`;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === '[' && src.charAt(i + 1) === ':') {
        const end = src.indexOf(':]', i + 2);
        const raw = end === -1 ? undefined : src.slice(i + 2, end);
        const negated = raw?.startsWith('^') ?? false;
        const name = negated ? raw?.slice(1) : raw;
        const cls = name === undefined ? undefined : POSIX_CLASSES[name];
        if (cls === undefined || negated)
          throw new RegexTranslationError(`unsupported POSIX class near ${src.slice(i)}`);
        out += cls;
        i = end + 1;
        continue;
      }
      if (ch === ']') inClass = false;
      out += ch === '[' ? '\\[' : ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      if (src.charAt(i + 1) === '^') {
        out += '^';
        i++;
      }
      // A `]` right after `[` or `[^` is a literal in RE2.
      if (src.charAt(i + 1) === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (ch === '(' && src.charAt(i + 1) === '?') {
      if (src.charAt(i + 2) === 'P' && src.charAt(i + 3) === '<') {
        out += '(?<';
        i += 3;
        opened.push([]);
        continue;
      }
      const flags = /^\(\?([imsU-]*)(\)|:)/.exec(src.slice(i));
      if (flags !== null && (flags[1] ?? '').includes('U'))
        throw new RegexTranslationError('ungreedy mode (?U) is not supported');
      if (flags !== null && flags[2] === ')') {
        // RE2 applies `(?i)` up to the end of the enclosing group, across `|`; JavaScript has only
        // the scoped form `(?i:…)`, so open one here and close it before every `|` and `)` of this group.
        const group = `(?${flags[1] ?? ''}:`;
        out += group;
        opened[opened.length - 1]?.push(group);
        i += flags[0].length - 1;
        continue;
      }
    }
    if (ch === '(') opened.push([]);
    else if (ch === '|') {
      const here = opened[opened.length - 1] ?? [];
      out += `${')'.repeat(here.length)}|${here.join('')}`;
      continue;
    } else if (ch === ')') {
      out += ')'.repeat((opened.pop() ?? []).length);
    }
    out += ch;
  }
  out += ')'.repeat((opened.pop() ?? []).length);
  return { body: out, unicode };
}

/** Compiles an RE2 pattern for a full match, as Envoy's `safe_regex` does. */
export function compileRe2(pattern: string): RegExp {
  let flags = '';
  let rest = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(rest);
  if (lead !== null) {
    const f = lead[1] ?? '';
    if (f.includes('U')) throw new RegexTranslationError('ungreedy mode (?U) is not supported');
    flags = [...new Set(f)].join('');
    rest = rest.slice(lead[0].length);
  }
  const { body, unicode } = translateBody(rest);
  try {
    return new RegExp(`^(?:${body})$`, flags + (unicode ? 'u' : ''));
  } catch (e: unknown) {
    throw new RegexTranslationError(e instanceof Error ? e.message : String(e));
  }
}

/**
 * The literal alternatives a pattern can match, if it is nothing but an alternation of literals
 * (optionally followed by an optional `:port` group, as host matchers are rendered). Used only to
 * index routes; the compiled regex still decides. Returns undefined for anything else.
 */
export function literalAlternatives(pattern: string): { values: string[]; caseInsensitive: boolean } | undefined {
  let p = pattern;
  let caseInsensitive = false;
  if (p.startsWith('(?i)')) {
    caseInsensitive = true;
    p = p.slice(4);
  }
  p = p.replace(/^\^/, '').replace(/\$$/, '');
  p = p.replace(/\(:(\[0-9\]|\\d)(\+|\*|\{[0-9,]+\})\)\?$/, '');
  if (p.startsWith('(') && p.endsWith(')') && !p.startsWith('(?') && balancedOuter(p)) p = p.slice(1, -1);
  else if (p.startsWith('(?:') && p.endsWith(')') && balancedOuter(p)) p = p.slice(3, -1);
  const values: string[] = [];
  let cur = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p.charAt(i);
    if (ch === '\\') {
      const next = p.charAt(i + 1);
      if (/[A-Za-z0-9]/.test(next)) return undefined;
      cur += next;
      i++;
    } else if (ch === '|') {
      values.push(cur);
      cur = '';
    } else if (/[\^$.*+?()[\]{}]/.test(ch)) return undefined;
    else cur += ch;
  }
  values.push(cur);
  return { values, caseInsensitive };
}

function balancedOuter(p: string): boolean {
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const ch = p.charAt(i);
    if (ch === '\\') i++;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0 && i !== p.length - 1) return false;
    }
  }
  return depth === 0;
}

/** The literal text every match must start with (for indexing), e.g. `/api/` for `/api/[^/]*`. */
export function literalPrefix(pattern: string): string {
  if (pattern.startsWith('(?')) return '';
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    const after = pattern.charAt(i + 1);
    if (ch === '\\') {
      if (/[A-Za-z0-9]/.test(after)) return out;
      // A quantifier after the escaped char makes it optional.
      if (/[*?{]/.test(pattern.charAt(i + 2))) return out;
      out += after;
      i++;
      continue;
    }
    if (/[\^$.*+?()[\]{}|]/.test(ch)) return ch === '|' ? '' : out;
    if (/[*?{]/.test(after)) return out;
    out += ch;
  }
  // A top-level alternation later in the pattern would make the prefix wrong; checked by the caller
  // rejecting patterns containing `|` outside escapes.
  return out;
}
