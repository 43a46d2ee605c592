import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { MESSAGE } from '../type-urls.ts';

/**
 * The Envoy API protos vendored in @grpc/grpc-js-xds, loaded once with protobufjs for the xDS wire
 * format. Field names stay snake_case, as in proto3 JSON.
 */

const require = createRequire(import.meta.url);
const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const includeDirs = [
  join(deps, 'envoy-api'),
  join(deps, 'xds'),
  join(deps, 'googleapis'),
  join(deps, 'protoc-gen-validate'),
  dirname(require.resolve('protobufjs/package.json')),
];

const ENTRY_PROTOS = [
  'envoy/service/discovery/v3/ads.proto',
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
  'envoy/config/bootstrap/v3/bootstrap.proto',
];

let root: protobuf.Root | undefined;

/** The protobufjs root with every message Portico sends or receives. */
export function envoyRoot(): protobuf.Root {
  if (root !== undefined) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => {
    if (target.startsWith('/')) return target;
    for (const dir of includeDirs) {
      const candidate = join(dir, target);
      try {
        require.resolve(candidate);
        return candidate;
      } catch {
        // not in this include directory
      }
    }
    return target;
  };
  r.loadSync(ENTRY_PROTOS, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

/** A message type by full name (e.g. `envoy.config.listener.v3.Listener`). */
export function messageType(name: string): protobuf.Type {
  return envoyRoot().lookupType(name);
}

export { MESSAGE };
