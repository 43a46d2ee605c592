import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { createFileRegistry } from '@bufbuild/protobuf';
import type { FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

/**
 * The official Envoy API protos (vendored in @grpc/grpc-js-xds) compiled by buf into a
 * FileDescriptorSet, loaded into a @bufbuild/protobuf registry for strict proto3-JSON validation.
 * Built on first use (~2 s) and cached under node_modules/.cache, keyed by the package versions, so
 * a fresh machine needs only the npm registry (reference/envoy.md §3.3).
 */

const require = createRequire(import.meta.url);
const root = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

/** The protos whose messages Portico renders, plus what xDS and the bootstrap need. */
const ENTRY_PROTOS = [
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/service/discovery/v3/discovery.proto',
];

function version(pkg: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
}

/**
 * The vendored validate.proto is older than the Envoy protos, which set `ignore_empty` on several
 * rule messages; an unused field of that name lets them compile (PGV rules are not enforced in JS).
 */
function patchValidateProto(text: string): string {
  return text.replace(/^message (\w+Rules) \{\r?$/gm, (m, name: string) =>
    name === 'FieldRules' ? m : `${m}\n  optional bool ignore_empty = 1001;`,
  );
}

function buildDescriptorSet(out: string): void {
  const work = mkdtempSync(join(tmpdir(), 'portico-envoy-protos-'));
  try {
    for (const dir of ['envoy-api', 'xds', 'googleapis']) cpSync(join(root, dir), join(work, dir), { recursive: true });
    const validate = join(work, 'pgv', 'validate');
    mkdirSync(validate, { recursive: true });
    writeFileSync(
      join(validate, 'validate.proto'),
      patchValidateProto(readFileSync(join(root, 'protoc-gen-validate/validate/validate.proto'), 'utf8')),
    );
    writeFileSync(
      join(work, 'buf.yaml'),
      'version: v2\nmodules:\n  - path: envoy-api\n  - path: xds\n  - path: googleapis\n  - path: pgv\n',
    );
    const buf = join(dirname(require.resolve('@bufbuild/buf/package.json')), 'bin', 'buf');
    const tmpOut = `${out}.${process.pid}.tmp`;
    execFileSync(buf, ['build', '-o', tmpOut, ...ENTRY_PROTOS.flatMap((p) => ['--path', join('envoy-api', p)])], {
      cwd: work,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    renameSync(tmpOut, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let cached: FileRegistry | undefined;

/** The registry of every Envoy message Portico emits (built once per process). */
export function envoyRegistry(): FileRegistry {
  if (cached !== undefined) return cached;
  const cacheDir = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), '..', '..', '.cache', 'portico');
  const file = join(cacheDir, `envoy-${version('@grpc/grpc-js-xds')}-buf-${version('@bufbuild/buf')}-v1.binpb`);
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true });
    buildDescriptorSet(file);
  }
  cached = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(file)));
  return cached;
}
