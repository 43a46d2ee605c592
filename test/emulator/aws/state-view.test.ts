import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ImportCertificateCommand } from '@aws-sdk/client-acm';
import { route } from '../../../src/model/route.ts';
import { certificateMaterial, toStack } from '../../../src/emulator/aws/to-stack.ts';
import type { StateChange } from '../../../src/emulator/aws/index.ts';
import type { AwsTarget } from './support.ts';
import { blob, fixture, startTarget } from './support.ts';
import { createHttpListener, createLoadBalancer, createTargetGroup, notFound } from './scaffold.ts';

/** The read-only state view the local data plane uses, and its conversion to a model Stack. */
describe('AWS emulator: state view and toStack', () => {
  let target: AwsTarget;
  let backend: http.Server;
  let backendPort: number;
  before(async () => {
    if (process.env['PORTICO_TEST_AWS_ENDPOINT'] !== undefined) return;
    target = await startTarget({ timeScale: 0.02 });
    backend = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendPort = (backend.address() as AddressInfo).port;
  });
  after(async () => {
    if (target === undefined) return;
    await target.close();
    await new Promise<void>((r) => backend.close(() => r()));
  });

  it('exposes ALBs, listeners, rules in AWS shapes, targets with health and certificates with keys; tells subscribers', async (t) => {
    if (target === undefined) return t.skip('needs the embedded emulator');
    const state = target.emulator?.state;
    assert.ok(state);
    const changes: StateChange[] = [];
    const unsubscribe = state.onChange((c) => changes.push(c));
    const lb = await createLoadBalancer(target);
    const tg = await createTargetGroup(target, { port: backendPort, interval: 5, timeout: 4 });
    const other = await createTargetGroup(target);
    await target.elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [{ Id: '127.0.0.1', Port: backendPort, AvailabilityZone: 'all' }],
      }),
    );
    const certArn =
      (
        await target.acm.send(
          new ImportCertificateCommand({
            Certificate: blob(fixture('example-rsa.crt')),
            PrivateKey: blob(fixture('example-rsa.key')),
          }),
        )
      ).CertificateArn ?? '';
    const https = await target.elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTPS',
        Port: 443,
        Certificates: [{ CertificateArn: certArn }],
        DefaultActions: [notFound],
      }),
    );
    await target.elb.send(
      new CreateRuleCommand({
        ListenerArn: https.Listeners?.[0]?.ListenerArn,
        Priority: 10,
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
        ],
        Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    );
    await createHttpListener(target, lb, [
      { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
    ]);
    assert.ok(changes.some((c) => c.kind === 'config' && c.reason === 'CreateRule'));

    const view = state.loadBalancer(lb.LoadBalancerArn ?? '');
    assert.equal(view?.name, lb.LoadBalancerName);
    assert.deepEqual(
      view?.listeners.map((l) => l.port),
      [443, 80],
    );
    const rule = view?.listeners[0]?.rules[0];
    assert.equal(rule?.priority, 10);
    assert.deepEqual(rule?.conditions[1], {
      Field: 'path-pattern',
      Values: ['/api/*'],
      PathPatternConfig: { Values: ['/api/*'] },
    });
    assert.equal(state.certificate(certArn)?.privateKeyPem, fixture('example-rsa.key'));

    // Wait until the health checker has seen the backend.
    for (
      let i = 0;
      i < 200 && state.targetGroup(tg.TargetGroupArn ?? '')?.targets[0]?.health.State !== 'healthy';
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(state.targetGroup(tg.TargetGroupArn ?? '')?.targets[0]?.health.State, 'healthy');
    assert.ok(changes.some((c) => c.kind === 'health'));
    unsubscribe();

    const stack = toStack(state, lb.LoadBalancerArn ?? '');
    assert.ok(stack);
    assert.deepEqual(
      stack.targetGroups.map((g) => g.id),
      [tg.TargetGroupArn],
      'only referenced groups, by ARN',
    );
    assert.ok(!stack.targetGroups.some((g) => g.id === other.TargetGroupArn));
    assert.deepEqual(stack.targetGroups[0]?.targets, [{ id: '127.0.0.1', port: backendPort, availabilityZone: 'all' }]);
    assert.deepEqual(
      stack.listeners.map((l) => l.port),
      [80, 443],
    );
    assert.deepEqual(stack.listeners[1]?.certificates, [{ kind: 'acm', arn: certArn }]);
    const hit = route(stack, 443, { host: 'shop.example.com', path: '/api/cart', method: 'GET' });
    assert.equal(hit.kind, 'rule');
    assert.deepEqual(hit.kind === 'rule' ? hit.actions : [], [
      { type: 'forward', targetGroups: [{ targetGroupId: tg.TargetGroupArn, weight: 1 }] },
    ]);
    const miss = route(stack, 443, { host: 'shop.example.com', path: '/other', method: 'GET' });
    assert.equal(miss.kind, 'default');
    const redirect = route(stack, 80, { path: '/', method: 'GET' });
    assert.deepEqual(redirect.kind === 'default' ? redirect.actions[0] : undefined, {
      type: 'redirect',
      protocol: 'HTTPS',
      port: '443',
      host: '#{host}',
      path: '/#{path}',
      query: '#{query}',
      statusCode: 'HTTP_301',
    });
    assert.equal(certificateMaterial(state, certArn)?.privateKey, fixture('example-rsa.key'));
    assert.deepEqual(certificateMaterial(state, certArn)?.serverNames, [
      'example.com',
      'www.example.com',
      '*.example.com',
    ]);
    assert.equal(
      toStack(state, 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/none/0'),
      undefined,
    );
  });
});
