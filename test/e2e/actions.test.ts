import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, request } from './support/client.ts';
import type { Target } from './support/client.ts';
import { PROVIDERS, startE2e } from './support/harness.ts';
import type { E2e } from './support/harness.ts';
import { fixedResponse, ingress, service, yamlDocs } from './support/manifests.ts';

/**
 * `alb.ingress.kubernetes.io/actions.*` fixed-response and redirect actions beside an ordinary
 * forward, through `portico local` for both providers.
 */

const HOST = 'actions.e2e.test';

const redirect = (config: Record<string, string>) => JSON.stringify({ type: 'redirect', redirectConfig: config });

for (const provider of PROVIDERS) {
  describe(`actions through portico local (${provider})`, { timeout: 120_000 }, () => {
    let e2e: E2e;
    let t: Target;

    before(async () => {
      e2e = await startE2e(provider, 'e2e-actions');
      const web = await e2e.echo('web');
      const prefix = 'alb.ingress.kubernetes.io/actions.';
      await e2e.apply(
        yamlDocs([
          ...service('web', [web]),
          ingress({
            name: 'actions',
            annotations: {
              [`${prefix}maintenance`]: fixedResponse(503, 'down for maintenance'),
              [`${prefix}health`]: fixedResponse(200, '{"ok":true}', 'application/json'),
              [`${prefix}moved`]: redirect({ host: 'new.e2e.test', path: '/landing', statusCode: 'HTTP_302' }),
              [`${prefix}secure`]: redirect({ protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' }),
            },
            rules: [
              {
                host: HOST,
                paths: [
                  ['/maintenance', 'Prefix', 'maintenance', 'use-annotation'],
                  ['/healthz', 'Exact', 'health', 'use-annotation'],
                  ['/old', 'Prefix', 'moved', 'use-annotation'],
                  ['/docs', 'Prefix', 'secure', 'use-annotation'],
                  ['/', 'Prefix', 'web', 'http'],
                ],
              },
            ],
          }),
        ]),
      );
      const { ip } = await e2e.address('actions');
      t = { ip, port: e2e.port(80) };
      await eventually(
        'the actions Ingress',
        () => request(t, { host: HOST }),
        (r) => r.backend === 'web',
      );
    });
    after(() => e2e?.close());

    it('answers fixed responses with their status, content type and body', async () => {
      const down = await request(t, { host: HOST, path: '/maintenance/page' });
      const health = await request(t, { host: HOST, path: '/healthz' });
      assert.deepEqual(
        [down.status, down.headers['content-type'], down.body, down.backend],
        [503, 'text/plain', 'down for maintenance', undefined],
      );
      assert.deepEqual(
        [health.status, health.headers['content-type'], health.body],
        [200, 'application/json', '{"ok":true}'],
      );
      // Exact /healthz: a longer path falls through to the forward rule.
      assert.equal((await request(t, { host: HOST, path: '/healthz/x' })).backend, 'web');
    });

    it('redirects with the configured parts and keeps the rest of the request URL', async () => {
      const moved = await request(t, { host: HOST, path: '/old/page?a=1' });
      const secure = await request(t, { host: HOST, path: '/docs/intro?lang=en' });
      assert.deepEqual(
        [moved.status, new URL(String(moved.headers.location)).href],
        // The port placeholder is the listener's port (80), which a URL leaves out.
        [302, 'http://new.e2e.test/landing?a=1'],
      );
      assert.deepEqual(
        [secure.status, new URL(String(secure.headers.location)).href],
        [301, `https://${HOST}/docs/intro?lang=en`],
      );
    });
  });
}
