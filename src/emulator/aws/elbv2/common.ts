import { ApiError, constraintError, validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { AwsTag } from './shapes.ts';

/**
 * Validation and paging helpers shared by the ELBv2 handlers, with AWS's error codes and wording
 * (reference/elbv2.md §3–§4).
 */

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/** Load balancer and target group names: 1–32 of `[A-Za-z0-9-]`, not starting or ending with `-`. */
export function checkName(kind: 'load balancer' | 'target group', name: string): void {
  if (name.length > 32) {
    throw validationError(`The ${kind} name '${name}' cannot be longer than '32' characters`);
  }
  if (!NAME.test(name)) {
    throw validationError(
      `The ${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-), and must not begin or end with a hyphen`,
    );
  }
  if (kind === 'load balancer' && name.toLowerCase().startsWith('internal-')) {
    throw validationError(`The load balancer name '${name}' cannot begin with 'internal-'`);
  }
}

export function checkEnum<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw constraintError(field, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Reads a `Tags` list, rejecting duplicates (DuplicateTagKeys) and bad keys or values (ValidationError). */
export function readTags(input: QueryInput, member = 'Tags'): AwsTag[] | undefined {
  const list = input.list(member);
  if (list === undefined) return undefined;
  const seen = new Set<string>();
  return list.map((entry) => {
    const key = entry.requiredString('Key');
    const value = entry.string('Value') ?? '';
    if (key.length > 128 || !TAG_TEXT.test(key)) {
      throw constraintError(
        `${entry.path}.Key`,
        key,
        'Member must have length less than or equal to 128 and match the tag pattern',
      );
    }
    if (value.length > 256 || !TAG_TEXT.test(value)) {
      throw constraintError(
        `${entry.path}.Value`,
        value,
        'Member must have length less than or equal to 256 and match the tag pattern',
      );
    }
    if (key.startsWith('aws:')) throw validationError(`Tag keys starting with 'aws:' are reserved for internal use`);
    if (seen.has(key)) throw new ApiError('DuplicateTagKeys', `Tag key '${key}' specified more than once`);
    seen.add(key);
    return { Key: key, Value: value };
  });
}

/** Applies tags to a resource's tag map, enforcing the per-resource quota (TooManyTags). */
export function applyTags(target: Map<string, string>, tags: readonly AwsTag[], limit: number, arn: string): void {
  const next = new Map(target);
  for (const tag of tags) next.set(tag.Key, tag.Value);
  if (next.size > limit) {
    throw new ApiError(
      'TooManyTags',
      `The quota for the number of tags that can be assigned to a load balancer has been reached (${limit}) for '${arn}'`,
    );
  }
  target.clear();
  for (const [k, v] of next) target.set(k, v);
}

export function tagList(tags: ReadonlyMap<string, string>): AwsTag[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

/** One page of `items` and the marker for the next, if any. Markers are opaque offsets. */
export function page<T>(items: readonly T[], input: QueryInput): { items: T[]; nextMarker: string | undefined } {
  const pageSize = input.int('PageSize', { min: 1, max: 400 }) ?? 400;
  const marker = input.string('Marker');
  let start = 0;
  if (marker !== undefined) {
    const decoded = /^m(\d{1,9})$/.exec(Buffer.from(marker, 'base64url').toString('latin1'));
    if (decoded === null) throw validationError(`The marker '${marker}' is not valid`);
    start = Number(decoded[1]);
  }
  const end = start + pageSize;
  return {
    items: items.slice(start, end),
    nextMarker: end < items.length ? Buffer.from(`m${end}`, 'latin1').toString('base64url') : undefined,
  };
}

/** Enforces "at most N ARNs/names per call" (observed limit 20 for describes). */
export function checkMaxItems(field: string, values: readonly unknown[] | undefined, max: number): void {
  if (values !== undefined && values.length > max) {
    throw constraintError(field, `[${values.length} items]`, `Member must have length less than or equal to ${max}`);
  }
}
