import protobuf from 'protobufjs';
import { PorticoError } from '../../errors/base.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { messageNameOf, typeUrl } from '../type-urls.ts';
import { messageType } from './protos.ts';

/**
 * Envoy resources between proto3 canonical JSON (what render emits) and protobuf wire bytes (what
 * xDS carries). protobufjs reads the protos but not proto3 JSON, so the well-known types are mapped
 * here: Duration strings, bare wrapper values, Struct, Any with `@type`, Empty. Unknown fields are
 * an error, as in Envoy.
 */

/** Thrown when a resource is not valid proto3 JSON for its type. */
export class ResourceEncodingError extends PorticoError {
  constructor(message: string) {
    super('ResourceEncoding', message, { retryable: false });
  }
}

type Plain = { [key: string]: unknown };

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (w) => `google.protobuf.${w}Value`,
  ),
);

function fullName(t: protobuf.Type): string {
  return t.fullName.replace(/^\./, '');
}

function durationToPlain(text: unknown, at: string): Plain {
  const m = typeof text === 'string' ? /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(text) : null;
  if (m === null) throw new ResourceEncodingError(`${at}: ${JSON.stringify(text)} is not a duration like "15s"`);
  const sign = m[1] === '-' ? -1 : 1;
  return { seconds: sign * Number(m[2]), nanos: sign * Number((m[3] ?? '').padEnd(9, '0')) };
}

/**
 * The name protobufjs gives a `google.protobuf.Value` field: its bundled well-known types are
 * camelCase whatever `keepCase` says, so ask the loaded type instead of assuming.
 */
function vf(snake: string): string {
  const fields = messageType('google.protobuf.Value').fields;
  return snake in fields ? snake : snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function valueToPlain(v: unknown): Plain {
  if (v === null) return { [vf('null_value')]: 0 };
  if (typeof v === 'number') return { [vf('number_value')]: v };
  if (typeof v === 'string') return { [vf('string_value')]: v };
  if (typeof v === 'boolean') return { [vf('bool_value')]: v };
  if (Array.isArray(v)) return { [vf('list_value')]: { values: v.map(valueToPlain) } };
  return { [vf('struct_value')]: structToPlain(v as Record<string, unknown>) };
}

function structToPlain(obj: Record<string, unknown>): Plain {
  const fields: Plain = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) fields[k] = valueToPlain(v);
  return { fields };
}

/** proto3 JSON of a message of type `t` → the plain object protobufjs `fromObject` takes. */
function toPlain(t: protobuf.Type, json: unknown, at: string): Plain {
  const name = fullName(t);
  if (name === 'google.protobuf.Duration') return durationToPlain(json, at);
  if (WRAPPERS.has(name)) return { value: json };
  if (name === 'google.protobuf.Struct') return structToPlain(json as Record<string, unknown>);
  if (name === 'google.protobuf.Value') return valueToPlain(json);
  if (name === 'google.protobuf.Any') {
    const { '@type': url, ...rest } = json as Record<string, unknown>;
    const inner = typeof url === 'string' ? messageNameOf(url) : undefined;
    if (inner === undefined)
      throw new ResourceEncodingError(`${at}: Any needs "@type": "type.googleapis.com/<message>"`);
    return { type_url: url, value: encodeMessage(inner, rest, at) };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ResourceEncodingError(`${at}: expected an object for ${name}`);
  }
  const out: Plain = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (value === undefined) continue;
    const field = t.fields[key];
    if (field === undefined) throw new ResourceEncodingError(`${at}: unknown field ${JSON.stringify(key)} in ${name}`);
    const sub = field.resolvedType;
    const convert = (v: unknown, where: string): unknown => {
      if (sub instanceof protobuf.Type) return toPlain(sub, v, where);
      if (sub instanceof protobuf.Enum && typeof v === 'string') {
        const n = sub.values[v];
        if (n === undefined)
          throw new ResourceEncodingError(`${where}: ${JSON.stringify(v)} is not a ${sub.name} value`);
        return n;
      }
      return v;
    };
    if (field.map) {
      const entries: Plain = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        entries[k] = convert(v, `${at}.${key}[${k}]`);
      out[key] = entries;
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new ResourceEncodingError(`${at}.${key}: expected a list`);
      out[key] = value.map((v: unknown, i: number) => convert(v, `${at}.${key}[${i}]`));
    } else out[key] = convert(value, `${at}.${key}`);
  }
  return out;
}

/** Encodes the proto3 JSON of message `name` to wire bytes. */
export function encodeMessage(name: string, json: unknown, at = name): Uint8Array {
  const t = messageType(name);
  const plain = toPlain(t, json, at);
  const problem = t.verify(plain);
  if (problem !== null) throw new ResourceEncodingError(`${at}: ${problem}`);
  return t.encode(t.fromObject(plain)).finish();
}

// ---- decoding ---------------------------------------------------------------------------------

function durationToJson(plain: Plain): string {
  const seconds = Number(plain['seconds'] ?? 0);
  const nanos = Number(plain['nanos'] ?? 0);
  if (nanos === 0) return `${seconds}s`;
  const sign = seconds < 0 || nanos < 0 ? '-' : '';
  return `${sign}${Math.abs(seconds)}.${String(Math.abs(nanos)).padStart(9, '0').replace(/0+$/, '')}s`;
}

function valueToJson(v: Plain): JsonValue {
  if (vf('struct_value') in v) return structToJson(v[vf('struct_value')] as Plain);
  if (vf('list_value') in v)
    return ((v[vf('list_value')] as Plain)['values'] as Plain[] | undefined)?.map(valueToJson) ?? [];
  if (vf('number_value') in v) return Number(v[vf('number_value')]);
  if (vf('string_value') in v) return String(v[vf('string_value')]);
  if (vf('bool_value') in v) return Boolean(v[vf('bool_value')]);
  return null;
}

function structToJson(s: Plain): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries((s['fields'] as Record<string, Plain> | undefined) ?? {}))
    out[k] = valueToJson(v);
  return out;
}

function fromPlain(t: protobuf.Type, plain: Plain): JsonValue {
  const name = fullName(t);
  if (name === 'google.protobuf.Duration') return durationToJson(plain);
  if (WRAPPERS.has(name)) return (plain['value'] ?? null) as JsonValue;
  if (name === 'google.protobuf.Struct') return structToJson(plain);
  if (name === 'google.protobuf.Value') return valueToJson(plain);
  if (name === 'google.protobuf.Any') {
    const url = String(plain['type_url'] ?? '');
    const inner = messageNameOf(url);
    if (inner === undefined) throw new ResourceEncodingError(`Any with unsupported type URL ${JSON.stringify(url)}`);
    const decoded = decodeMessage(inner, plain['value'] as Uint8Array);
    return { '@type': typeUrl(inner), ...decoded };
  }
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(plain)) {
    const field = t.fields[key];
    if (field === undefined) continue;
    const sub = field.resolvedType;
    const convert = (v: unknown): JsonValue =>
      sub instanceof protobuf.Type ? fromPlain(sub, v as Plain) : (v as JsonValue);
    if (field.map) {
      const entries: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) entries[k] = convert(v);
      out[key] = entries;
    } else if (field.repeated) out[key] = (value as unknown[]).map(convert);
    else out[key] = convert(value);
  }
  return out;
}

/** Decodes wire bytes of message `name` to proto3 JSON (snake_case, enums by name, defaults omitted). */
export function decodeMessage(name: string, bytes: Uint8Array): JsonObject {
  const t = messageType(name);
  const plain = t.toObject(t.decode(bytes), { enums: String, longs: Number, defaults: false });
  return fromPlain(t, plain as Plain) as JsonObject;
}
