import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, parseDuration, parseKeyValues } from '../../src/config/config.ts';
import type { Config, ConfigProblem } from '../../src/config/config.ts';

function ok(result: Config | ConfigProblem[]): Config {
  assert.ok(!Array.isArray(result), `unexpected problems: ${JSON.stringify(result)}`);
  return result;
}

describe('controller configuration', () => {
  it('applies documented defaults and freezes the result', () => {
    const c = ok(loadConfig({ 'cluster-name': 'prod' }, {}));
    assert.equal(c.provider, 'aws');
    assert.equal(c.awsRegion, 'us-east-1');
    assert.equal(c.ingressClass, 'portico');
    assert.equal(c.controllerName, 'portico.dev/ingress-controller');
    assert.equal(c.defaults.targetType, 'instance');
    assert.equal(c.annotationPrefix, 'alb.ingress.kubernetes.io/');
    assert.equal(c.defaults.scheme, 'internal');
    assert.equal(c.driftCheckIntervalMs, 3_600_000);
    assert.equal(c.rulePacking, true);
    assert.equal(c.leaderElection.enabled, true);
    assert.ok(Object.isFrozen(c));
  });

  it('reads the environment where flags are absent, and flags win over it', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://localhost:4566', PORTICO_CLUSTER_NAME: 'env' };
    const c = ok(loadConfig({}, env));
    assert.equal(c.clusterName, 'env');
    assert.equal(c.awsRegion, 'eu-west-1');
    assert.equal(c.awsEndpoint, 'http://localhost:4566');
    assert.equal(ok(loadConfig({ 'cluster-name': 'flag', 'aws-region': 'ap-south-1' }, env)).awsRegion, 'ap-south-1');
  });

  it('parses lists, key/value defaults and switches', () => {
    const c = ok(
      loadConfig(
        {
          'cluster-name': 'c',
          'watch-namespace': 'a, b,,c',
          'default-tags': 'team=web,env=prod',
          'default-target-group-attributes': 'slow_start.duration_seconds=30',
          'default-load-balancing-algorithm': 'least_outstanding_requests',
          'no-rule-packing': true,
          'no-leader-election': true,
        },
        {},
      ),
    );
    assert.deepEqual(c.watchNamespaces, ['a', 'b', 'c']);
    assert.deepEqual(c.defaults.tags, { env: 'prod', team: 'web' });
    assert.deepEqual(c.defaults.targetGroupAttributes, [{ key: 'slow_start.duration_seconds', value: '30' }]);
    assert.equal(c.defaults.loadBalancingAlgorithm, 'least_outstanding_requests');
    assert.equal(c.rulePacking, false);
    assert.equal(c.leaderElection.enabled, false);
  });

  it('collects every problem, each naming its flag or variable', () => {
    const result = loadConfig(
      {
        provider: 'gcp',
        'drift-check-interval': 'soon',
        'default-tags': 'novalue',
        'max-concurrent-reconciles': '0',
        'leader-election-renew-deadline': '20s',
      },
      { AWS_ENDPOINT_URL: 'localhost:4566' },
    );
    assert.ok(Array.isArray(result));
    assert.deepEqual(result.map((p) => p.source).sort(), [
      '--cluster-name',
      '--default-tags',
      '--drift-check-interval',
      '--leader-election-renew-deadline',
      '--max-concurrent-reconciles',
      '--provider',
      'AWS_ENDPOINT_URL',
    ]);
    assert.match(result.find((p) => p.source === '--provider')?.message ?? '', /one of aws, envoy, got 'gcp'/);
  });

  it('parses durations and key/value lists', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('2 hours'), undefined);
    assert.deepEqual(parseKeyValues('a=1,b=x=y'), [
      ['a', '1'],
      ['b', 'x=y'],
    ]);
    assert.equal(parseKeyValues('a'), undefined);
  });
});
