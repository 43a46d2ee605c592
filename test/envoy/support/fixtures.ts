import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateMaterial } from '../../../src/envoy/render-options.ts';
import type { Stack } from '../../../src/model/stack.ts';
import { fixed, forward, host, listener, path, rule, stack, targetGroup } from '../../support/stack.ts';

/** Test-only self-signed certificates (100-year validity) in test/envoy/fixtures. */
function pem(name: string): CertificateMaterial {
  const dir = join(import.meta.dirname, '..', 'fixtures');
  return {
    certificateChain: readFileSync(join(dir, `${name}.cert.pem`), 'utf8'),
    privateKey: readFileSync(join(dir, `${name}.key.pem`), 'utf8'),
  };
}

export const certificates: Readonly<Record<string, CertificateMaterial>> = {
  'secret:default/www-tls': pem('example-com'),
  'acm:arn:aws:acm:us-east-1:123456789012:certificate/org': pem('example-org'),
};

/** A stack that uses every condition, every action and both listener protocols. */
export function everythingStack(): Stack {
  return stack({
    id: 'default/everything',
    loadBalancer: {
      ...stack().loadBalancer,
      name: 'p-default-everything-0123456789',
      attributes: [
        { key: 'idle_timeout.timeout_seconds', value: '120' },
        { key: 'routing.http.xff_header_processing.mode', value: 'remove' },
      ],
    },
    listeners: [
      listener({
        port: 80,
        rules: [
          rule(1, [host('www.example.com', '*.example.org'), path('/api/*')], [forward('api', 'canary')]),
          rule(2, [path('/exact')], [fixed('200', 'ok')]),
          rule(3, [path('/a/*.png', '/b?')], [forward('api')]),
          rule(4, [{ field: 'http-header', headerName: 'X-Canary', values: ['on', 'y*'] }], [forward('canary')]),
          rule(
            5,
            [
              { field: 'http-request-method', values: ['GET', 'HEAD'] },
              { field: 'query-string', values: [{ key: 'v', value: '2*' }, { value: 'a b' }] },
            ],
            [forward('api')],
          ),
          rule(6, [{ field: 'source-ip', values: ['10.0.0.0/8', '192.168.1.7/32'] }], [forward('canary')]),
          rule(7, [{ field: 'source-ip', values: ['10.1.0.0/16'] }, path('/internal')], [fixed('403', 'no')]),
          rule(8, [path('/old/*')], [{ type: 'redirect', path: '/new/#{path}', statusCode: 'HTTP_301' }]),
          rule(9, [path('/secure')], [{ type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_302' }]),
          rule(
            10,
            [path('/odd')],
            [{ type: 'redirect', host: 'www.#{host}', query: 'from=#{path}', statusCode: 'HTTP_302' }],
          ),
          rule(
            11,
            [path('/login')],
            [
              {
                type: 'authenticate-cognito',
                userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/x',
                userPoolClientId: 'c',
                userPoolDomain: 'd',
                onUnauthenticatedRequest: 'authenticate',
                scope: 'openid',
                sessionCookieName: 'AWSELBAuthSessionCookie',
                sessionTimeout: 604800,
              },
              forward('api'),
            ],
          ),
          rule(
            12,
            [path('/zero')],
            [
              {
                type: 'forward',
                targetGroups: [
                  { targetGroupId: 'api', weight: 0 },
                  { targetGroupId: 'canary', weight: 0 },
                ],
              },
            ],
          ),
          rule(
            13,
            [path('/sticky')],
            [
              {
                type: 'forward',
                targetGroups: [
                  { targetGroupId: 'api', weight: 3 },
                  { targetGroupId: 'canary', weight: 1 },
                ],
                stickiness: { enabled: true, durationSeconds: 300 },
              },
            ],
          ),
          rule(
            14,
            [{ field: 'host-header', values: [], regexValues: ['^api[0-9]+\\.example\\.com$'] }],
            [forward('api')],
          ),
        ],
        defaultActions: [fixed('404', 'not found')],
      }),
      listener({
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        certificates: [
          { kind: 'secret', namespace: 'default', name: 'www-tls' },
          { kind: 'acm', arn: 'arn:aws:acm:us-east-1:123456789012:certificate/org' },
        ],
        rules: [rule(1, [path('/grpc.Service/*')], [forward('grpc')])],
        defaultActions: [forward('api')],
      }),
    ],
    targetGroups: [
      targetGroup('api', {
        name: 'p-default-api-80-0123456789',
        targets: [
          { id: '127.0.0.2', port: 8080 },
          { id: '127.0.0.1', port: 8080 },
        ],
        attributes: [
          { key: 'load_balancing.algorithm.type', value: 'least_outstanding_requests' },
          { key: 'stickiness.enabled', value: 'true' },
          { key: 'stickiness.lb_cookie.duration_seconds', value: '600' },
          { key: 'stickiness.type', value: 'lb_cookie' },
        ],
        healthCheck: { ...targetGroup('x').healthCheck, path: '/healthz', successCodes: '200-299,301', port: '9000' },
      }),
      targetGroup('canary', {
        name: 'p-default-canary-80-0123456789',
        protocol: 'HTTPS',
        targetType: 'instance',
        targets: [{ id: 'i-0abc', port: 30080 }],
        attributes: [{ key: 'slow_start.duration_seconds', value: '30' }],
      }),
      targetGroup('grpc', {
        name: 'p-default-grpc-50051-0123456789',
        protocolVersion: 'GRPC',
        healthCheck: { ...targetGroup('x').healthCheck, path: '/AWS.ALB/healthcheck', successCodes: '12' },
      }),
    ],
  });
}
