import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import type { JsonObject } from '../../src/envoy/json.ts';
import { MESSAGE } from '../../src/envoy/type-urls.ts';
import { decodeStrict } from './support/validate.ts';

/** `portico render -f` end to end: real process, real manifests, output checked against the Bootstrap proto. */

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'portico-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (f: string) => readFileSync(join(import.meta.dirname, 'fixtures', f)).toString('base64');

const manifests = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: portico, annotations: { ingressclass.kubernetes.io/is-default-class: 'true' } }
spec: { controller: portico.dev/ingress-controller }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: ClusterIP, ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
ports: [{ name: http, port: 8080, protocol: TCP }]
endpoints: [{ addresses: [127.0.0.5], conditions: { ready: true } }]
---
apiVersion: v1
kind: Secret
metadata: { name: www-tls, namespace: default }
type: kubernetes.io/tls
data: { tls.crt: ${b64('example-com.cert.pem')}, tls.key: ${b64('example-com.key.pem')} }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: default
  annotations: { alb.ingress.kubernetes.io/target-type: ip }
spec:
  tls: [{ hosts: [www.example.com], secretName: www-tls }]
  rules:
    - host: www.example.com
      http:
        paths:
          - { path: /api, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
`;

async function render(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, 'in.yaml');
  writeFileSync(file, manifests);
  try {
    const { stdout, stderr } = await run(process.execPath, ['src/cli/main.ts', 'render', '-f', file, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('portico render -f prints a static bootstrap that passes strict Bootstrap validation', async () => {
  const out = await render(['--port-offset', '8000']);
  assert.equal(out.code, 0, out.stderr);
  const bootstrap = JSON.parse(out.stdout) as JsonObject;
  decodeStrict(MESSAGE.bootstrap, bootstrap);
  const listeners = (bootstrap['static_resources'] as JsonObject)['listeners'] as JsonObject[];
  assert.deepEqual(
    listeners.map((l) => ((l['address'] as JsonObject)['socket_address'] as JsonObject)['port_value']),
    [8443, 8080],
  );
  assert.match(out.stdout, /BEGIN CERTIFICATE/, 'static mode inlines the TLS Secret');
  assert.match(out.stdout, /127\.0\.0\.5/, 'the EndpointSlice address is an endpoint');
  assert.match(out.stdout, /"path_separated_prefix": "\/api"/);
});

test('portico render --mode ads prints a bootstrap pointing at the xDS server, as YAML when asked', async () => {
  const out = await render(['--mode', 'ads', '--xds-address', '127.0.0.1:19000', '--format', 'yaml']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /port_value: 19000/);
  assert.match(out.stdout, /ads_config:/);
});

test('bad flags are usage errors naming the flag', async () => {
  const out = await render(['--mode', 'dynamic']);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /--mode must be static or ads/);
});
