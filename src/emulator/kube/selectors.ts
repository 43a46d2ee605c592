import { badRequest } from './status.ts';

/** A parsed label selector term. */
type LabelTerm =
  | { readonly op: 'eq' | 'neq'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | 'notexists'; readonly key: string };

/** A compiled label selector; the empty selector matches everything. */
export interface LabelSelector {
  matches(labels: Readonly<Record<string, string>>): boolean;
}

/**
 * Parses the label selector syntax of `?labelSelector=`: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`, terms joined by commas (AND). Bad syntax is a 400, like the real server.
 */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  const terms: LabelTerm[] = [];
  const source = (text ?? '').trim();
  let i = 0;
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why} in label selector "${source}"`);
  };
  const skipSpace = () => {
    while (source[i] === ' ') i++;
  };
  const readToken = (): string => {
    skipSpace();
    const start = i;
    while (i < source.length && !' ,()=!'.includes(source[i] ?? '')) i++;
    return source.slice(start, i);
  };
  while (i < source.length) {
    skipSpace();
    if (source[i] === '!') {
      i++;
      const key = readToken();
      if (!key) fail('missing key after "!"');
      terms.push({ op: 'notexists', key });
    } else {
      const key = readToken();
      if (!key) fail(`unexpected "${source[i] ?? ''}"`);
      skipSpace();
      if (source.startsWith('==', i) || source.startsWith('!=', i) || source[i] === '=') {
        const op = source.startsWith('!=', i) ? 'neq' : 'eq';
        i += source.startsWith('==', i) || op === 'neq' ? 2 : 1;
        terms.push({ op, key, value: readToken() });
      } else if (/^(in|notin)\s*\(/.test(source.slice(i))) {
        const op = source.startsWith('notin', i) ? 'notin' : 'in';
        i = source.indexOf('(', i) + 1;
        const close = source.indexOf(')', i);
        if (close < 0) fail('missing ")"');
        const values = source
          .slice(i, close)
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
        i = close + 1;
        terms.push({ op, key, values });
      } else {
        terms.push({ op: 'exists', key });
      }
    }
    skipSpace();
    if (i < source.length) {
      if (source[i] !== ',') fail(`unexpected "${source[i] ?? ''}"`);
      i++;
    }
  }
  return {
    matches(labels) {
      return terms.every((t) => {
        const has = Object.hasOwn(labels, t.key);
        const v = labels[t.key];
        switch (t.op) {
          case 'eq':
            return has && v === t.value;
          case 'neq':
            return !has || v !== t.value;
          case 'in':
            return has && t.values.includes(v ?? '');
          case 'notin':
            return !has || !t.values.includes(v ?? '');
          case 'exists':
            return has;
          case 'notexists':
            return !has;
        }
        return false;
      });
    },
  };
}

/** One `field=value` or `field!=value` term of a field selector. */
export interface FieldTerm {
  readonly field: string;
  readonly value: string;
  readonly negate: boolean;
}

/**
 * Parses `?fieldSelector=`. Only `=`, `==` and `!=` exist; which fields are allowed depends on
 * the kind, so the caller checks `field` against its list.
 */
export function parseFieldSelector(text: string | null | undefined): FieldTerm[] {
  const source = (text ?? '').trim();
  if (source === '') return [];
  return source.split(',').map((term) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (m === null) throw badRequest(`invalid selector: '${source}'; can't understand '${term}'`);
    return { field: m[1] ?? '', value: m[3] ?? '', negate: m[2] === '!=' };
  });
}
