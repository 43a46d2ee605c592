import { compileRe2, literalAlternatives, RegexTranslationError } from '../config/re2.ts';
import { ProxyConfigError } from '../config/reader.ts';
import type { Reader } from '../config/reader.ts';

/**
 * Envoy's StringMatcher and HeaderMatcher (envoy.type.matcher.v3 / config.route.v3), compiled once
 * into closures so the request path only runs comparisons.
 */

/** What a route matcher needs to know about a request. */
export interface MatchInput {
  /** `:path` without the query string. */
  readonly path: string;
  /** `:path` as sent (origin form, with the query). */
  readonly pathAndQuery: string;
  /** `:authority` (HTTP/2) or `Host` (HTTP/1.1) as sent. */
  readonly authority: string;
  readonly method: string;
  /** `http` or `https`. */
  readonly scheme: string;
  /** The TCP peer address. */
  readonly sourceIp: string;
  /** Every value of a regular header, lowercase name, in the order received; [] when absent. */
  headerValues(name: string): readonly string[];
}

export type StringPredicate = (value: string) => boolean;

export interface CompiledStringMatcher {
  readonly test: StringPredicate;
  /** When the matcher accepts exactly these literal values (lowercased if case-insensitive); for indexing. */
  readonly literals?: { readonly values: readonly string[]; readonly caseInsensitive: boolean };
}

export function compileRegex(r: Reader, field: string): RegExp {
  const source = r.obj(field).str('regex');
  try {
    return compileRe2(source);
  } catch (e: unknown) {
    if (e instanceof RegexTranslationError) throw new ProxyConfigError(r.obj(field).at('regex'), e.message);
    throw e;
  }
}

/** `envoy.type.matcher.v3.StringMatcher`. */
export function compileStringMatcher(r: Reader): CompiledStringMatcher {
  const ignoreCase = r.optBool('ignore_case') ?? false;
  const kind = r.oneof(['exact', 'prefix', 'suffix', 'contains', 'safe_regex']);
  switch (kind) {
    case 'exact': {
      const v = r.str('exact');
      if (ignoreCase) {
        const lower = v.toLowerCase();
        return {
          test: (s) => s.length === v.length && s.toLowerCase() === lower,
          literals: { values: [lower], caseInsensitive: true },
        };
      }
      return { test: (s) => s === v, literals: { values: [v], caseInsensitive: false } };
    }
    case 'prefix':
    case 'suffix':
    case 'contains': {
      const v = r.str(kind);
      if (v === '') r.fail(kind, 'must not be empty');
      const needle = ignoreCase ? v.toLowerCase() : v;
      const norm = ignoreCase ? (s: string) => s.toLowerCase() : (s: string) => s;
      if (kind === 'prefix') return { test: (s) => norm(s).startsWith(needle) };
      if (kind === 'suffix') return { test: (s) => norm(s).endsWith(needle) };
      return { test: (s) => norm(s).includes(needle) };
    }
    case 'safe_regex': {
      const re = compileRegex(r, 'safe_regex');
      const lit = literalAlternatives(r.obj('safe_regex').str('regex'));
      return lit === undefined ? { test: (s) => re.test(s) } : { test: (s) => re.test(s), literals: lit };
    }
    default:
      return r.fail('match_pattern', 'one of exact, prefix, suffix, contains or safe_regex is required');
  }
}

export interface CompiledHeaderMatcher {
  /** Lowercase header name (pseudo-headers keep their colon). */
  readonly name: string;
  readonly test: (input: MatchInput) => boolean;
  /** The string matcher behind it when not inverted: lets the route index use `:authority` literals. */
  readonly indexable?: CompiledStringMatcher;
}

/** The value(s) of a header as Envoy's matchers see them; pseudo-headers come from the request line. */
function headerValues(input: MatchInput, name: string): readonly string[] {
  switch (name) {
    case ':authority':
    case 'host':
      return input.authority === '' ? [] : [input.authority];
    case ':path':
      return [input.pathAndQuery];
    case ':method':
      return [input.method];
    case ':scheme':
      return [input.scheme];
    default:
      return input.headerValues(name);
  }
}

/**
 * `envoy.config.route.v3.HeaderMatcher`. A header sent several times is matched value by value (any
 * value may match), which is ALB's rule for http-header conditions; Envoy itself would match the
 * comma-joined value. Documented in docs/proxy.md.
 */
export function compileHeaderMatcher(r: Reader): CompiledHeaderMatcher {
  const name = r.str('name').toLowerCase();
  if (name === '') r.fail('name', 'must not be empty');
  const invert = r.optBool('invert_match') ?? false;
  const missingAsEmpty = r.optBool('treat_missing_header_as_empty') ?? false;
  const kind = r.oneof([
    'string_match',
    'present_match',
    'exact_match',
    'safe_regex_match',
    'prefix_match',
    'suffix_match',
    'contains_match',
    'range_match',
  ]);
  let valueTest: StringPredicate | undefined;
  let indexable: CompiledStringMatcher | undefined;
  let presentWanted = true;
  switch (kind) {
    case 'string_match':
      indexable = compileStringMatcher(r.obj('string_match'));
      valueTest = indexable.test;
      break;
    case 'present_match':
      presentWanted = r.optBool('present_match') ?? true;
      break;
    case 'exact_match': {
      const v = r.str('exact_match');
      valueTest = (s) => s === v;
      break;
    }
    case 'safe_regex_match': {
      const re = compileRegex(r, 'safe_regex_match');
      valueTest = (s) => re.test(s);
      break;
    }
    case 'prefix_match':
    case 'suffix_match':
    case 'contains_match': {
      const v = r.str(kind);
      valueTest =
        kind === 'prefix_match'
          ? (s) => s.startsWith(v)
          : kind === 'suffix_match'
            ? (s) => s.endsWith(v)
            : (s) => s.includes(v);
      break;
    }
    case 'range_match': {
      const range = r.obj('range_match');
      const start = range.num('start');
      const end = range.num('end');
      valueTest = (s) => /^-?\d+$/.test(s) && Number(s) >= start && Number(s) < end;
      break;
    }
    default:
      break;
  }
  const test = (input: MatchInput): boolean => {
    let values = headerValues(input, name);
    if (values.length === 0 && missingAsEmpty && valueTest !== undefined) values = [''];
    let matched: boolean;
    if (valueTest === undefined) matched = values.length > 0 === presentWanted;
    else {
      matched = false;
      for (const v of values) {
        if (valueTest(v)) {
          matched = true;
          break;
        }
      }
    }
    return invert ? !matched : matched;
  };
  return invert || indexable === undefined ? { name, test } : { name, test, indexable };
}

/** `envoy.config.route.v3.QueryParameterMatcher`: exact key, value by StringMatcher or presence. */
export function compileQueryMatcher(r: Reader): (params: URLSearchParams) => boolean {
  const name = r.str('name');
  if (r.has('string_match')) {
    const m = compileStringMatcher(r.obj('string_match'));
    return (params) => {
      const v = params.get(name);
      return v !== null && m.test(v);
    };
  }
  const present = r.optBool('present_match') ?? true;
  return (params) => params.has(name) === present;
}
