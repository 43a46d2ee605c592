import type { JsonObject } from './json.ts';
import { ApiError } from './status.ts';

/**
 * Decoding of Kubernetes protobuf request bodies, for the kinds kubectl's typed `create`
 * commands send that way (`kubectl create namespace|secret|configmap|service|ingress`): kubectl
 * 1.35 sends them as `application/vnd.kubernetes.protobuf` and does not fall back to JSON.
 * The field numbers are those of k8s.io/api's generated.proto files; only the fields those
 * commands can set are described (unknown fields are skipped, as protobuf allows).
 */

type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'intOrString';
type FieldType = Scalar | { readonly msg: Schema } | { readonly map: 'string' | 'bytes' };
interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly repeated?: boolean;
}
type Schema = Readonly<Record<number, Field>>;

const time: Schema = { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } };
const ownerReference: Schema = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};
const objectMeta: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  11: { name: 'labels', type: { map: 'string' } },
  12: { name: 'annotations', type: { map: 'string' } },
  13: { name: 'ownerReferences', type: { msg: ownerReference }, repeated: true },
  14: { name: 'finalizers', type: 'string', repeated: true },
};
const meta: Field = { name: 'metadata', type: { msg: objectMeta } };

const servicePort: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'protocol', type: 'string' },
  3: { name: 'port', type: 'int' },
  4: { name: 'targetPort', type: 'intOrString' },
  5: { name: 'nodePort', type: 'int' },
  6: { name: 'appProtocol', type: 'string' },
};
const serviceSpec: Schema = {
  1: { name: 'ports', type: { msg: servicePort }, repeated: true },
  2: { name: 'selector', type: { map: 'string' } },
  3: { name: 'clusterIP', type: 'string' },
  4: { name: 'type', type: 'string' },
  5: { name: 'externalIPs', type: 'string', repeated: true },
  7: { name: 'sessionAffinity', type: 'string' },
  10: { name: 'externalName', type: 'string' },
};
const serviceBackendPort: Schema = { 1: { name: 'name', type: 'string' }, 2: { name: 'number', type: 'int' } };
const ingressBackend: Schema = {
  3: {
    name: 'resource',
    type: {
      msg: {
        1: { name: 'apiGroup', type: 'string' },
        2: { name: 'kind', type: 'string' },
        3: { name: 'name', type: 'string' },
      },
    },
  },
  4: {
    name: 'service',
    type: { msg: { 1: { name: 'name', type: 'string' }, 2: { name: 'port', type: { msg: serviceBackendPort } } } },
  },
};
const httpPath: Schema = {
  1: { name: 'path', type: 'string' },
  2: { name: 'backend', type: { msg: ingressBackend } },
  3: { name: 'pathType', type: 'string' },
};
const ingressSpec: Schema = {
  1: { name: 'defaultBackend', type: { msg: ingressBackend } },
  2: {
    name: 'tls',
    type: { msg: { 1: { name: 'hosts', type: 'string', repeated: true }, 2: { name: 'secretName', type: 'string' } } },
    repeated: true,
  },
  3: {
    name: 'rules',
    type: {
      msg: {
        1: { name: 'host', type: 'string' },
        // IngressRuleValue is inlined in JSON: its `http` field appears directly on the rule.
        2: {
          name: '',
          type: {
            msg: {
              1: { name: 'http', type: { msg: { 1: { name: 'paths', type: { msg: httpPath }, repeated: true } } } },
            },
          },
        },
      },
    },
    repeated: true,
  },
  4: { name: 'ingressClassName', type: 'string' },
};

const kinds: Readonly<Record<string, Schema>> = {
  'v1/Namespace': {
    1: meta,
    2: { name: 'spec', type: { msg: { 1: { name: 'finalizers', type: 'string', repeated: true } } } },
  },
  'v1/Secret': {
    1: meta,
    2: { name: 'data', type: { map: 'bytes' } },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: { map: 'string' } },
    5: { name: 'immutable', type: 'bool' },
  },
  'v1/ConfigMap': {
    1: meta,
    2: { name: 'data', type: { map: 'string' } },
    3: { name: 'binaryData', type: { map: 'bytes' } },
    4: { name: 'immutable', type: 'bool' },
  },
  'v1/Service': { 1: meta, 2: { name: 'spec', type: { msg: serviceSpec } } },
  'networking.k8s.io/v1/Ingress': { 1: meta, 2: { name: 'spec', type: { msg: ingressSpec } } },
};

class Reader {
  pos = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw malformed('truncated varint');
      const b = this.buf[this.pos++] ?? 0;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw malformed('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw malformed(`unsupported wire type ${wire}`);
  }
}

function malformed(why: string): ApiError {
  return new ApiError(400, 'BadRequest', `unable to decode protobuf body: ${why}`);
}

function decodeMap(buf: Buffer, valueType: 'string' | 'bytes'): [string, string] {
  const r = new Reader(buf);
  let key = '';
  let value = '';
  while (r.pos < buf.length) {
    const tag = Number(r.varint());
    if (tag >> 3 === 1 && (tag & 7) === 2) key = r.bytes().toString('utf8');
    else if (tag >> 3 === 2 && (tag & 7) === 2) {
      const v = r.bytes();
      value = valueType === 'bytes' ? v.toString('base64') : v.toString('utf8');
    } else r.skip(tag & 7);
  }
  return [key, value];
}

function decodeMessage(buf: Buffer, schema: Schema): JsonObject {
  const out: JsonObject = {};
  const r = new Reader(buf);
  while (r.pos < buf.length) {
    const tag = Number(r.varint());
    const field = schema[tag >> 3];
    const wire = tag & 7;
    if (field === undefined) {
      r.skip(wire);
      continue;
    }
    let value: unknown;
    const t = field.type;
    if (t === 'int') value = Number(BigInt.asIntN(64, r.varint()));
    else if (t === 'bool') value = r.varint() !== 0n;
    else if (t === 'string') value = r.bytes().toString('utf8');
    else if (t === 'bytes') value = r.bytes().toString('base64');
    else if (t === 'time') {
      const ts = decodeMessage(r.bytes(), time);
      value = new Date(Number(ts['seconds'] ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    } else if (t === 'intOrString') {
      const v = decodeMessage(r.bytes(), {
        1: { name: 'type', type: 'int' },
        2: { name: 'intVal', type: 'int' },
        3: { name: 'strVal', type: 'string' },
      });
      value = v['type'] === 1 ? (v['strVal'] ?? '') : (v['intVal'] ?? 0);
    } else if ('map' in t) {
      const [k, v] = decodeMap(r.bytes(), t.map);
      const map = (out[field.name] as JsonObject | undefined) ?? {};
      map[k] = v;
      out[field.name] = map;
      continue;
    } else value = decodeMessage(r.bytes(), t.msg);
    // Generated Kubernetes protobuf writes every scalar, even empty ones that JSON would omit.
    if (value === '' || value === 0 || value === false) continue;
    if (field.name === '') {
      Object.assign(out, value);
    } else if (field.repeated) {
      const list = (out[field.name] as unknown[] | undefined) ?? [];
      list.push(value);
      out[field.name] = list;
    } else out[field.name] = value;
  }
  return out;
}

/** Decodes a `k8s\0`-prefixed runtime.Unknown envelope into a JSON object (415 for kinds not described). */
export function decodeKubeProtobuf(body: Buffer): JsonObject {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0')
    throw malformed('missing the k8s protobuf prefix');
  const unknown = decodeMessage(body.subarray(4), {
    1: {
      name: 'typeMeta',
      type: { msg: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
    },
    2: { name: 'raw', type: 'bytes' },
  });
  const typeMeta = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const key = `${typeMeta.apiVersion ?? ''}/${typeMeta.kind ?? ''}`;
  const schema = kinds[key];
  if (schema === undefined) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `protobuf bodies are accepted for ${Object.keys(kinds).join(', ')} only; send ${key} as application/json`,
    );
  }
  const raw = Buffer.from(String(unknown['raw'] ?? ''), 'base64');
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decodeMessage(raw, schema) };
}
