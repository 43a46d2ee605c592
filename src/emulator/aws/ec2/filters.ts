import { ApiError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';

/** EC2 `Filter.N.Name` / `Filter.N.Value.M` filters: every filter must match one of its values (with `*`/`?` wildcards). */
export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

export function readFilters(input: QueryInput): Filter[] {
  return (input.flatList('Filter') ?? []).map((f) => ({
    name: f.requiredString('Name'),
    values: f.flatStringList('Value') ?? [],
  }));
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

/**
 * Whether a resource passes all filters. `resolve(name)` gives the resource's values for a filter
 * name, or `undefined` for a name the resource type does not support (an InvalidParameterValue).
 */
export function matchesFilters(
  filters: readonly Filter[],
  tags: ReadonlyMap<string, string> | undefined,
  resolve: (name: string) => readonly string[] | undefined,
): boolean {
  return filters.every((f) => {
    let actual: readonly string[] | undefined;
    if (f.name.startsWith('tag:')) {
      const v = tags?.get(f.name.slice(4));
      actual = v === undefined ? [] : [v];
    } else if (f.name === 'tag-key') {
      actual = [...(tags?.keys() ?? [])];
    } else {
      actual = resolve(f.name);
    }
    if (actual === undefined) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    return f.values.some((v) => {
      const re = wildcard(v);
      return actual.some((a) => re.test(a));
    });
  });
}

export function tagSet(tags: ReadonlyMap<string, string> | undefined): Array<{ key: string; value: string }> {
  return [...(tags ?? new Map<string, string>())].map(([key, value]) => ({ key, value }));
}
