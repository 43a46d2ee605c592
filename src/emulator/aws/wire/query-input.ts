import { ApiError, constraintError, validationError } from './api-error.ts';

/**
 * Reader for awsQuery / ec2-query form bodies. The flat `Key.member.1.Sub=value` pairs are folded
 * into a tree once; handlers then read typed members, and every problem becomes a `ValidationError`
 * that names the offending key, never a crash. Parsing is defensive because the body is untrusted.
 */

interface QueryNode {
  value?: string;
  children?: Map<string, QueryNode>;
}

/** Bodies larger than this are refused; ELBv2's largest legitimate request is far smaller. */
const MAX_PAIRS = 20_000;
const INDEX = /^[1-9]\d{0,5}$/;

export class QueryInput {
  readonly #node: QueryNode;
  /** Dotted path of this node, for error messages (empty at the root). */
  readonly path: string;

  private constructor(node: QueryNode, path: string) {
    this.#node = node;
    this.path = path;
  }

  /** Folds an `application/x-www-form-urlencoded` body into a tree. */
  static parse(body: string): QueryInput {
    const root: QueryNode = {};
    let pairs = 0;
    for (const [key, value] of new URLSearchParams(body)) {
      if (++pairs > MAX_PAIRS) throw validationError(`Request has more than ${MAX_PAIRS} parameters`);
      if (key.length === 0) continue;
      let node = root;
      for (const part of key.split('.')) {
        node.children ??= new Map();
        let next = node.children.get(part);
        if (next === undefined) {
          next = {};
          node.children.set(part, next);
        }
        node = next;
      }
      node.value = value;
    }
    return new QueryInput(root, '');
  }

  #child(name: string): QueryNode | undefined {
    return this.#node.children?.get(name);
  }

  #at(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  /** Whether the member was sent at all (as a value or with children). */
  has(name: string): boolean {
    return this.#child(name) !== undefined;
  }

  /** Names of the top-level members sent, for "unknown parameter" checks. */
  keys(): string[] {
    return [...(this.#node.children?.keys() ?? [])];
  }

  string(name: string): string | undefined {
    const node = this.#child(name);
    if (node === undefined) return undefined;
    if (node.children !== undefined && node.children.size > 0) {
      throw validationError(`Parameter '${this.#at(name)}' must be a single value, not a structure or list`);
    }
    return node.value ?? '';
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') {
      throw constraintError(this.#at(name), undefined, 'Member must not be null');
    }
    return value;
  }

  int(name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!/^-?\d{1,15}$/.test(text)) {
      throw validationError(`Value '${text}' for parameter '${this.#at(name)}' is not a valid integer`);
    }
    const n = Number(text);
    if (bounds.min !== undefined && n < bounds.min) {
      throw constraintError(this.#at(name), text, `Member must have value greater than or equal to ${bounds.min}`);
    }
    if (bounds.max !== undefined && n > bounds.max) {
      throw constraintError(this.#at(name), text, `Member must have value less than or equal to ${bounds.max}`);
    }
    return n;
  }

  requiredInt(name: string, bounds: { min?: number; max?: number } = {}): number {
    const n = this.int(name, bounds);
    if (n === undefined) throw constraintError(this.#at(name), undefined, 'Member must not be null');
    return n;
  }

  bool(name: string): boolean | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw validationError(`Value '${text}' for parameter '${this.#at(name)}' is not a valid boolean`);
  }

  struct(name: string): QueryInput | undefined {
    const node = this.#child(name);
    if (node === undefined) return undefined;
    if (node.children === undefined && node.value !== undefined && node.value !== '') {
      throw validationError(`Parameter '${this.#at(name)}' must be a structure`);
    }
    return new QueryInput(node, this.#at(name));
  }

  /**
   * An awsQuery list: `Name.member.N…`. The SDK sends an empty list as the bare `Name=`, which reads
   * as `[]` here (distinct from an absent member, which reads as `undefined`).
   */
  list(name: string): QueryInput[] | undefined {
    const node = this.#child(name);
    if (node === undefined) return undefined;
    const members = node.children?.get('member');
    const extra = [...(node.children?.keys() ?? [])].filter((k) => k !== 'member');
    if (extra.length > 0) {
      throw validationError(`Parameter '${this.#at(name)}' is a list; unexpected member '${extra[0]}'`);
    }
    if (members === undefined) {
      if (node.value !== undefined && node.value !== '') {
        throw validationError(`Parameter '${this.#at(name)}' must be a list (${name}.member.N)`);
      }
      return [];
    }
    return this.#indexed(members, `${this.#at(name)}.member`);
  }

  /** An ec2-query list: `Name.N…` (flattened, 1-based). */
  flatList(name: string): QueryInput[] | undefined {
    const node = this.#child(name);
    if (node === undefined) return undefined;
    if (node.children === undefined) return [];
    return this.#indexed(node, this.#at(name));
  }

  #indexed(node: QueryNode, path: string): QueryInput[] {
    const entries: Array<[number, QueryNode]> = [];
    for (const [key, child] of node.children ?? []) {
      if (!INDEX.test(key)) throw validationError(`Invalid list index '${key}' in parameter '${path}'`);
      entries.push([Number(key), child]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    return entries.map(([i, child]) => new QueryInput(child, `${path}.${i}`));
  }

  /** The scalar value of this node itself (for list elements that are strings). */
  self(): string {
    if (this.#node.children !== undefined && this.#node.children.size > 0) {
      throw validationError(`Parameter '${this.path}' must be a single value`);
    }
    return this.#node.value ?? '';
  }

  stringList(name: string): string[] | undefined {
    return this.list(name)?.map((m) => m.self());
  }

  flatStringList(name: string): string[] | undefined {
    return this.flatList(name)?.map((m) => m.self());
  }

  /** An awsQuery map: `Name.entry.N.key` / `Name.entry.N.value`. */
  map(name: string): Record<string, string> | undefined {
    const node = this.#child(name);
    if (node === undefined) return undefined;
    const entries = node.children?.get('entry');
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    if (entries === undefined) return out;
    for (const entry of this.#indexed(entries, `${this.#at(name)}.entry`)) {
      out[entry.requiredString('key')] = entry.string('value') ?? '';
    }
    return out;
  }
}

/** Thrown by the server when a query body has no `Action`. */
export function missingAction(): ApiError {
  return new ApiError('MissingAction', 'The request must contain the parameter Action');
}
