import { ConfigError } from '../../errors/base.ts';

/**
 * A cursor over one object of Envoy JSON (proto3 canonical JSON) that knows where it is, so every
 * error names the resource and the field path (`Listener "http-80": filter_chains[0].filters[0]: …`).
 * Field names are accepted in snake_case (as Envoy's docs write them) and lowerCamelCase (as proto3
 * JSON printers emit them).
 */
export class ProxyConfigError extends ConfigError {
  /** The resource and field the problem is in, e.g. `Cluster "web": health_checks[0].interval`. */
  readonly where: string;
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.where = where;
  }
}

export type JsonObject = { readonly [key: string]: unknown };

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class Reader {
  readonly value: JsonObject;
  /** `Listener "x"` plus the field path inside it. */
  readonly where: string;

  constructor(value: unknown, where: string) {
    if (!isObject(value)) throw new ProxyConfigError(where, `expected an object, got ${describe(value)}`);
    this.value = value;
    this.where = where;
  }

  /** The raw value of a field (snake_case or camelCase), or undefined. */
  raw(name: string): unknown {
    const v = this.value[name];
    return v !== undefined ? v : this.value[camel(name)];
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined && this.raw(name) !== null;
  }

  at(name: string): string {
    return `${this.where}${this.where.endsWith(':') ? ' ' : '.'}${name}`;
  }

  fail(name: string, message: string): never {
    throw new ProxyConfigError(this.at(name), message);
  }

  str(name: string): string {
    const v = this.raw(name);
    if (typeof v !== 'string') this.fail(name, `expected a string, got ${describe(v)}`);
    return v;
  }

  optStr(name: string): string | undefined {
    return this.has(name) ? this.str(name) : undefined;
  }

  /** Numbers, numeric strings (int64 in proto3 JSON) and wrapper objects `{ "value": n }` are accepted. */
  optNum(name: string): number | undefined {
    let v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (isObject(v) && 'value' in v) v = v['value'];
    const n = typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) this.fail(name, `expected a number, got ${describe(v)}`);
    return n;
  }

  num(name: string): number {
    const n = this.optNum(name);
    if (n === undefined) this.fail(name, 'is required');
    return n;
  }

  optBool(name: string): boolean | undefined {
    let v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (isObject(v) && 'value' in v) v = v['value'];
    if (typeof v !== 'boolean') this.fail(name, `expected true or false, got ${describe(v)}`);
    return v;
  }

  obj(name: string): Reader {
    return new Reader(this.raw(name), this.at(name));
  }

  optObj(name: string): Reader | undefined {
    return this.has(name) ? this.obj(name) : undefined;
  }

  /** Elements of an array of objects, each a Reader with its index in the path. */
  list(name: string): Reader[] {
    const v = this.raw(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(name, `expected a list, got ${describe(v)}`);
    return v.map((item: unknown, i) => new Reader(item, `${this.at(name)}[${i}]`));
  }

  strList(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) this.fail(name, 'expected a list of strings');
    return v as string[];
  }

  /** An enum given by name (proto3 JSON) or by number, returned as its name. */
  optEnum(name: string, names: readonly string[]): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && names[v] !== undefined) return names[v];
    if (typeof v === 'string' && names.includes(v)) return v;
    return this.fail(name, `expected one of ${names.join(', ')}, got ${describe(v)}`);
  }

  /** The member of a oneof that is set; more than one set is an error, as in protobuf JSON decoding. */
  oneof(members: readonly string[]): string | undefined {
    const set = members.filter((m) => this.has(m));
    if (set.length > 1) throw new ProxyConfigError(this.where, `only one of ${set.join(', ')} may be set`);
    return set[0];
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v;
}

/** Parses a proto3 JSON Duration (`"15s"`, `"0.250s"`) or `{seconds, nanos}`; returns milliseconds. */
export function optDurationMs(r: Reader, name: string): number | undefined {
  const v = r.raw(name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') {
    const m = /^(-?\d+)(?:\.(\d{1,9}))?s$/.exec(v);
    if (m === null) return r.fail(name, `expected a duration like "15s" or "0.250s", got ${describe(v)}`);
    const frac = m[2] === undefined ? 0 : Number(`0.${m[2]}`);
    const ms = Number(m[1]) * 1000 + frac * 1000;
    if (ms < 0) return r.fail(name, 'must not be negative');
    return ms;
  }
  if (isObject(v)) {
    const d = new Reader(v, r.at(name));
    return (d.optNum('seconds') ?? 0) * 1000 + (d.optNum('nanos') ?? 0) / 1e6;
  }
  return r.fail(name, `expected a duration, got ${describe(v)}`);
}

/** The `@type` of a `google.protobuf.Any`, checked against what the caller accepts. */
export function anyType(r: Reader, accepted: readonly string[]): string {
  const t = r.str('@type');
  const short = t.replace(/^type\.googleapis\.com\//, '');
  if (!accepted.includes(short)) {
    throw new ProxyConfigError(
      r.at('@type'),
      `unsupported type ${JSON.stringify(t)}; expected ${accepted.join(' or ')}`,
    );
  }
  return short;
}

/** A header value from configuration: control characters would let it forge extra header lines. */
export function headerValue(r: Reader, field: string): string {
  const v = r.optStr(field) ?? '';
  if (/[\0\r\n]/.test(v)) r.fail(field, 'must not contain CR, LF or NUL');
  return v;
}
