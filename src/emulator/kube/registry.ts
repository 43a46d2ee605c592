import type { JsonObject } from './json.ts';
import type { StatusCause } from './status.ts';

/** One column of the Table `kubectl get` prints. */
export interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format?: string;
  readonly description: string;
  /** 0: always shown; > 0: only with `-o wide`. */
  readonly priority: number;
  cell(obj: JsonObject, now: number): unknown;
}

/** Context a validator gets: the stored object on update, and a way to look at other objects. */
export interface ValidateContext {
  readonly old: JsonObject | undefined;
  readonly operation: 'create' | 'update';
}

/**
 * Everything the server needs to know about one resource: routing, discovery, OpenAPI, Table
 * output, selectors, patch strategy and validation are all driven by this one record.
 */
export interface ResourceKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lower-case plural used in URLs, e.g. `ingresses`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Whether `/status` is a subresource (writes to the main resource then ignore `status`). */
  readonly statusSubresource: boolean;
  /** Columns after NAME (NAME is always first); AGE is included where the real server has it. */
  readonly columns: readonly Column[];
  /** Field selectors beyond metadata.name and metadata.namespace, each with how to read it. */
  readonly fieldSelectors: Readonly<Record<string, (obj: JsonObject) => string>>;
  /**
   * Strategic-merge keys by dotted path from the object root (`spec.ports` → `port`). A path
   * mapped to `''` is a set of primitives (merged, not replaced). Lists not named are replaced.
   */
  readonly mergeKeys: Readonly<Record<string, string>>;
  /** Where objects are kept; two API views of one kind (core and events.k8s.io Event) share it. */
  readonly storage: string;
  /** Converts between this view and the stored form, when they differ. */
  readonly convert?: { toStored(obj: JsonObject): JsonObject; fromStored(obj: JsonObject): JsonObject };
  /** Fills server-side defaults on create and update (before validation). */
  readonly defaults?: (obj: JsonObject, old: JsonObject | undefined) => void;
  /** Returns every problem with the object; empty means valid. */
  readonly validate?: (obj: JsonObject, ctx: ValidateContext) => StatusCause[];
  /** Validates a status write (`/status`). */
  readonly validateStatus?: (obj: JsonObject) => StatusCause[];
  /** Custom resources refuse an update without resourceVersion; built-in kinds allow it. */
  readonly allowUnconditionalUpdate: boolean;
  /** True for kinds served from a CustomResourceDefinition. */
  readonly custom: boolean;
}

/** `group/version`, or `version` alone for the core group. */
export function groupVersion(k: Pick<ResourceKind, 'group' | 'version'>): string {
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

/**
 * The set of kinds being served. It changes at run time when CRDs come and go; `generation`
 * counts those changes so discovery and OpenAPI hashes change with them.
 */
export class Registry {
  private readonly byPath = new Map<string, ResourceKind>();
  private changes = 0;

  constructor(kinds: readonly ResourceKind[] = []) {
    for (const k of kinds) this.add(k);
  }

  get generation(): number {
    return this.changes;
  }

  add(kind: ResourceKind): void {
    this.byPath.set(`${kind.group}/${kind.version}/${kind.plural}`, kind);
    this.changes++;
  }

  remove(group: string, version: string, plural: string): void {
    if (this.byPath.delete(`${group}/${version}/${plural}`)) this.changes++;
  }

  /** The kind served at `/api[s]/<group>/<version>/<plural>`. */
  lookup(group: string, version: string, plural: string): ResourceKind | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The kind with this apiVersion and kind, for objects created through the programmatic API. */
  byKind(apiVersion: string, kind: string): ResourceKind | undefined {
    for (const k of this.byPath.values()) if (groupVersion(k) === apiVersion && k.kind === kind) return k;
    return undefined;
  }

  all(): ResourceKind[] {
    return [...this.byPath.values()];
  }

  /** Groups with their versions, core group first, then by name; versions in the order added. */
  groups(): Array<{ group: string; versions: string[] }> {
    const map = new Map<string, string[]>();
    for (const k of this.byPath.values()) {
      const versions = map.get(k.group) ?? [];
      if (!versions.includes(k.version)) versions.push(k.version);
      map.set(k.group, versions);
    }
    return [...map.entries()]
      .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
      .map(([group, versions]) => ({ group, versions: versions.sort(compareVersions) }));
  }

  kindsIn(group: string, version: string): ResourceKind[] {
    return this.all().filter((k) => k.group === group && k.version === version);
  }
}

/**
 * Kubernetes version priority: GA before beta before alpha, higher numbers first
 * (v2 > v1 > v1beta2 > v1beta1 > v1alpha1), so the preferred version sorts first.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) return [-1, 0, 0];
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  if (sa === 3 && sb === 3) return mb - ma;
  if (sa !== sb) return sb - sa;
  return mb !== ma ? mb - ma : nb - na;
}
