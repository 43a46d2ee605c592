import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import WebSocket, { WebSocketServer } from 'ws';
import { hcm, routeConfig, startEcho, startProxy, staticCluster } from './support.ts';
import type { Echo, Json, StartedProxy } from './support.ts';
import { certDir } from './tls-support.ts';
import type { CertDir, TestCert } from './tls-support.ts';

const run = promisify(execFile);
const TLS_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

function tlsChain(cert: TestCert, serverNames: string[] | undefined, routes: Json[]): Json {
  return {
    ...(serverNames !== undefined ? { filter_chain_match: { server_names: serverNames } } : {}),
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': TLS_TYPE,
        common_tls_context: {
          alpn_protocols: ['h2', 'http/1.1'],
          tls_certificates: [
            { certificate_chain: { inline_string: cert.cert }, private_key: { inline_string: cert.key } },
          ],
        },
      },
    },
    filters: [hcm(routeConfig(routes))],
  };
}

/** A raw-bytes gRPC unary method, so the test needs no .proto: the payload is echoed with a prefix. */
const ECHO_METHOD = '/test.Echo/Say';
const codec = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

describe('real clients through the proxy: curl (HTTP/1.1, h2, SNI), WebSocket, gRPC', () => {
  let certs: CertDir;
  let defaultCert: TestCert;
  let wwwCert: TestCert;
  let web: Echo;
  let wsUpstream: http.Server;
  let tlsUpstream: https.Server;
  let grpcServer: grpc.Server;
  let grpcPort: number;
  let proxy: StartedProxy;

  before(async () => {
    certs = certDir();
    defaultCert = certs.make('default', ['default.example.com']);
    wwwCert = certs.make('www', ['www.example.com', '*.wild.example.com']);
    web = await startEcho('web');
    const targetCert = certs.make('target', ['target.internal']);
    tlsUpstream = https.createServer({ cert: targetCert.cert, key: targetCert.key }, (req, res) => {
      res.end(
        `tls target saw sni=${(req.socket as TLSSocket).servername || ''} proto=${String(req.headers['x-forwarded-proto'])}`,
      );
    });
    await new Promise<void>((r) => tlsUpstream.listen(0, '127.0.0.1', r));
    wsUpstream = http.createServer();
    const wss = new WebSocketServer({ server: wsUpstream });
    wss.on('connection', (sock, req) =>
      sock.on('message', (m: Buffer) => sock.send(`echo:${m.toString()}:${req.headers['x-forwarded-proto'] ?? ''}`)),
    );
    await new Promise<void>((r) => wsUpstream.listen(0, '127.0.0.1', r));
    grpcServer = new grpc.Server();
    grpcServer.addService(
      {
        say: {
          path: ECHO_METHOD,
          requestStream: false,
          responseStream: false,
          requestSerialize: codec.serialize,
          requestDeserialize: codec.deserialize,
          responseSerialize: codec.serialize,
          responseDeserialize: codec.deserialize,
        },
      },
      {
        say: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          const via = call.metadata.get('x-forwarded-proto')[0] ?? '';
          cb(null, Buffer.from(`grpc:${call.request.toString()}:${String(via)}`));
        },
      },
    );
    grpcPort = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) =>
        e ? reject(e) : resolve(port),
      ),
    );
    const routes: Json[] = [
      { match: { prefix: '/test.Echo/' }, route: { cluster: 'grpc' } },
      { match: { prefix: '/ws' }, route: { cluster: 'ws' } },
      { match: { prefix: '/tls-target' }, route: { cluster: 'tls' } },
      { match: { prefix: '/' }, route: { cluster: 'web' } },
    ];
    const wwwRoutes: Json[] = [
      { match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: 'www chain' } } },
    ];
    proxy = await startProxy({
      static_resources: {
        clusters: [
          staticCluster('web', [web.port]),
          staticCluster('ws', [(wsUpstream.address() as AddressInfo).port]),
          staticCluster('tls', [(tlsUpstream.address() as AddressInfo).port], {
            transport_socket: {
              name: 'envoy.transport_sockets.tls',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
                sni: 'target.internal',
              },
            },
          }),
          staticCluster('grpc', [grpcPort], {
            typed_extension_protocol_options: {
              'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
                '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
                explicit_http_config: { http2_protocol_options: {} },
              },
            },
          }),
        ],
        listeners: [
          {
            name: 'https',
            address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
            filter_chains: [
              tlsChain(wwwCert, ['www.example.com', '*.wild.example.com'], wwwRoutes),
              tlsChain(defaultCert, undefined, routes),
            ],
          },
        ],
      },
    });
  });

  after(async () => {
    await proxy.stop();
    await web.close();
    tlsUpstream.closeAllConnections();
    await new Promise((r) => tlsUpstream.close(r));
    wsUpstream.closeAllConnections();
    await new Promise((r) => wsUpstream.close(r));
    grpcServer.forceShutdown();
    certs.cleanup();
  });

  const curl = async (args: string[]): Promise<{ out: string; err: string }> => {
    const { stdout, stderr } = await run('curl', ['-sS', '-k', '-v', ...args], { timeout: 10_000 });
    return { out: stdout, err: stderr };
  };

  it('serves HTTP/1.1 and HTTP/2 over TLS, choosing the certificate and filter chain by SNI', async () => {
    const port = proxy.port();
    const h2 = await curl([
      '--http2',
      '-w',
      '\n%{http_version}',
      '--resolve',
      `default.example.com:${port}:127.0.0.1`,
      `https://default.example.com:${port}/hello`,
    ]);
    const [body, version] = h2.out.split('\n');
    assert.equal(version, '2');
    const seen = JSON.parse(body ?? '{}') as { name: string; headers: Record<string, string> };
    assert.equal(seen.name, 'web');
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.match(h2.err, /subject: CN=default\.example\.com/);

    const h1 = await curl([
      '--http1.1',
      '-w',
      '\n%{http_version}',
      '--resolve',
      `www.example.com:${port}:127.0.0.1`,
      `https://www.example.com:${port}/`,
    ]);
    assert.equal(h1.out, 'www chain\n1.1');
    assert.match(h1.err, /subject: CN=www\.example\.com/);

    const wild = await curl([
      '--resolve',
      `a.wild.example.com:${port}:127.0.0.1`,
      `https://a.wild.example.com:${port}/`,
    ]);
    assert.match(wild.out, /^www chain/);
    const unknown = await curl(['--resolve', `other.test:${port}:127.0.0.1`, `https://other.test:${port}/`]);
    assert.match(unknown.err, /subject: CN=default\.example\.com/);
  });

  it('tunnels a WebSocket upgrade', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${proxy.port()}/ws`, {
      rejectUnauthorized: false,
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (m: Buffer) => resolve(m.toString()));
      ws.on('error', reject);
    });
    ws.close();
    assert.equal(reply, 'echo:hi:https');
  });

  it('speaks TLS to HTTPS targets, with the cluster SNI and without verifying the certificate (as ALB)', async () => {
    const r = await curl([
      '--resolve',
      `default.example.com:${proxy.port()}:127.0.0.1`,
      `https://default.example.com:${proxy.port()}/tls-target`,
    ]);
    assert.equal(r.out, 'tls target saw sni=target.internal proto=https');
  });

  it('carries gRPC to an HTTP/2 target group', async () => {
    const Client = grpc.makeGenericClientConstructor(
      {
        say: {
          path: ECHO_METHOD,
          requestStream: false,
          responseStream: false,
          requestSerialize: codec.serialize,
          requestDeserialize: codec.deserialize,
          responseSerialize: codec.serialize,
          responseDeserialize: codec.deserialize,
        },
      },
      'Echo',
    );
    const client = new Client(`127.0.0.1:${proxy.port()}`, grpc.credentials.createSsl(Buffer.from(defaultCert.cert)), {
      'grpc.ssl_target_name_override': 'default.example.com',
      'grpc.default_authority': 'default.example.com',
    });
    const reply = await new Promise<Buffer>((resolve, reject) => {
      (client as unknown as { say: (b: Buffer, cb: (e: Error | null, r?: Buffer) => void) => void }).say(
        Buffer.from('ping'),
        (e, r) => (e ? reject(e) : resolve(r ?? Buffer.alloc(0))),
      );
    });
    client.close();
    assert.equal(reply.toString(), 'grpc:ping:https');
  });
});
