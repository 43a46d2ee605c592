import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsTarget } from './support.ts';
import { rejection, startTarget } from './support.ts';
import { createHttpListener, createLoadBalancer, createTargetGroup, notFound } from './scaffold.ts';

const path = (p: string): RuleCondition[] => [{ Field: 'path-pattern', PathPatternConfig: { Values: [p] } }];

describe('AWS emulator: listeners and rules through the real SDK', () => {
  let target: AwsTarget;
  before(async () => {
    target = await startTarget();
  });
  after(() => target.close());

  it('echoes a single-target forward with ForwardConfig, Order, string priorities and the default rule last', async () => {
    const lb = await createLoadBalancer(target);
    const tg = await createTargetGroup(target);
    const listener = await createHttpListener(target, lb, [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }]);
    assert.match(listener.ListenerArn ?? '', /:listener\/app\/[^/]+\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    assert.deepEqual(listener.Certificates, []);
    assert.deepEqual(listener.DefaultActions, [
      {
        Type: 'forward',
        TargetGroupArn: tg.TargetGroupArn,
        Order: 1,
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: tg.TargetGroupArn, Weight: 1 }],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ]);
    await target.elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 20,
        Conditions: [{ Field: 'host-header', Values: ['api.example.com'] }],
        Actions: [notFound],
      }),
    );
    await target.elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 5,
        Conditions: path('/x/*'),
        Actions: [notFound],
      }),
    );
    const rules = (await target.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? [];
    assert.deepEqual(
      rules.map((r) => r.Priority),
      ['5', '20', 'default'],
    );
    const host = rules[1];
    assert.deepEqual(host?.Conditions, [
      { Field: 'host-header', Values: ['api.example.com'], HostHeaderConfig: { Values: ['api.example.com'] } },
    ]);
    const dflt = rules[2];
    assert.equal(dflt?.IsDefault, true);
    assert.deepEqual(dflt?.Conditions, []);
    assert.match(dflt?.RuleArn ?? '', /:listener-rule\/app\/[^/]+\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
  });

  it('echoes weighted forwards without the scalar TargetGroupArn and fills redirect defaults', async () => {
    const lb = await createLoadBalancer(target);
    const [a, b] = [await createTargetGroup(target), await createTargetGroup(target)];
    const listener = await createHttpListener(target, lb);
    const out = await target.elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 1,
        Conditions: path('/w'),
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: a.TargetGroupArn, Weight: 80 },
                { TargetGroupArn: b.TargetGroupArn, Weight: 20 },
              ],
              TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
            },
          },
        ],
      }),
    );
    const action = out.Rules?.[0]?.Actions?.[0];
    assert.equal(action?.TargetGroupArn, undefined);
    assert.deepEqual(action?.ForwardConfig?.TargetGroupStickinessConfig, { Enabled: true, DurationSeconds: 60 });
    const redirect = await target.elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 2,
        Conditions: path('/old'),
        Actions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
      }),
    );
    assert.deepEqual(redirect.Rules?.[0]?.Actions?.[0]?.RedirectConfig, {
      Protocol: 'HTTPS',
      Port: '443',
      Host: '#{host}',
      Path: '/#{path}',
      Query: '#{query}',
      StatusCode: 'HTTP_301',
    });
    const loop = await rejection(
      target.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 3,
          Conditions: path('/loop'),
          Actions: [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_302' } }],
        }),
      ),
    );
    assert.equal(loop.name, 'InvalidLoadBalancerActionException');
  });

  it('answers PriorityInUse, DuplicateListener, and validation errors for bad conditions', async () => {
    const lb = await createLoadBalancer(target);
    const listener = await createHttpListener(target, lb);
    await target.elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 7,
        Conditions: path('/a'),
        Actions: [notFound],
      }),
    );
    const inUse = await rejection(
      target.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 7,
          Conditions: path('/b'),
          Actions: [notFound],
        }),
      ),
    );
    assert.equal(inUse.name, 'PriorityInUseException');
    const dup = await rejection(
      target.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ ...notFound, FixedResponseConfig: { StatusCode: '503' } }],
        }),
      ),
    );
    assert.equal(dup.name, 'DuplicateListenerException');
    const same = await target.elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [notFound],
      }),
    );
    assert.equal(same.Listeners?.[0]?.ListenerArn, listener.ListenerArn, 'identical CreateListener is idempotent');
    const both = await rejection(
      target.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 8,
          Conditions: [
            { Field: 'host-header', Values: ['a.example.com'], HostHeaderConfig: { Values: ['a.example.com'] } },
          ],
          Actions: [notFound],
        }),
      ),
    );
    assert.equal(both.name, 'ValidationError');
    assert.match(both.message, /cannot provide both Values and 'HostHeaderConfig'/);
    const six = await rejection(
      target.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 9,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/1', '/2', '/3', '/4', '/5', '/6'] } }],
          Actions: [notFound],
        }),
      ),
    );
    assert.equal(six.name, 'ValidationError');
    const range = await rejection(
      target.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 50001,
          Conditions: path('/z'),
          Actions: [notFound],
        }),
      ),
    );
    assert.equal(range.name, 'ValidationError');
    const ghost = await rejection(
      target.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 10,
          Conditions: path('/g'),
          Actions: [{ Type: 'forward', TargetGroupArn: `${lb.LoadBalancerArn}x` }],
        }),
      ),
    );
    assert.equal(ghost.name, 'TargetGroupNotFoundException');
  });

  it('fails the 101st rule of an ALB with TooManyRules', async () => {
    const lb = await createLoadBalancer(target);
    const l80 = await createHttpListener(target, lb, [notFound], 80);
    const l81 = await createHttpListener(target, lb, [notFound], 81);
    for (let i = 1; i <= 100; i++) {
      await target.elb.send(
        new CreateRuleCommand({
          ListenerArn: i % 2 === 0 ? l80.ListenerArn : l81.ListenerArn,
          Priority: i,
          Conditions: path(`/r${i}`),
          Actions: [notFound],
        }),
      );
    }
    const e = await rejection(
      target.elb.send(
        new CreateRuleCommand({
          ListenerArn: l80.ListenerArn,
          Priority: 101,
          Conditions: path('/r101'),
          Actions: [notFound],
        }),
      ),
    );
    assert.equal(e.name, 'TooManyRulesException');
  });

  it('moves rules atomically with SetRulePriorities and protects the default rule', async () => {
    const lb = await createLoadBalancer(target);
    const listener = await createHttpListener(target, lb);
    const mk = async (p: number) =>
      (
        await target.elb.send(
          new CreateRuleCommand({
            ListenerArn: listener.ListenerArn,
            Priority: p,
            Conditions: path(`/p${p}`),
            Actions: [notFound],
          }),
        )
      ).Rules?.[0]?.RuleArn ?? '';
    const [r1, r2] = [await mk(1), await mk(2)];
    const swapped = await target.elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: r1, Priority: 2 },
          { RuleArn: r2, Priority: 1 },
        ],
      }),
    );
    assert.deepEqual(
      swapped.Rules?.map((r) => r.Priority),
      ['2', '1'],
    );
    const clash = await rejection(
      target.elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: r1, Priority: 1 }] })),
    );
    assert.equal(clash.name, 'PriorityInUseException');
    const twice = await rejection(
      target.elb.send(
        new SetRulePrioritiesCommand({
          RulePriorities: [
            { RuleArn: r1, Priority: 5 },
            { RuleArn: r2, Priority: 5 },
          ],
        }),
      ),
    );
    assert.equal(twice.name, 'ValidationError');
    const rules = (await target.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? [];
    const dflt = rules.find((r) => r.IsDefault)?.RuleArn ?? '';
    assert.equal(
      (await rejection(target.elb.send(new DeleteRuleCommand({ RuleArn: dflt })))).name,
      'OperationNotPermittedException',
    );
    assert.equal(
      (
        await rejection(
          target.elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: dflt, Priority: 9 }] })),
        )
      ).name,
      'OperationNotPermittedException',
    );
    const modified = await target.elb.send(new ModifyRuleCommand({ RuleArn: r1, Conditions: path('/changed') }));
    assert.deepEqual(modified.Rules?.[0]?.Conditions?.[0]?.PathPatternConfig?.Values, ['/changed']);
    assert.equal(modified.Rules?.[0]?.Priority, '2');
    await target.elb.send(new DeleteRuleCommand({ RuleArn: r1 }));
    assert.equal(
      (await rejection(target.elb.send(new DeleteRuleCommand({ RuleArn: r1 })))).name,
      'RuleNotFoundException',
    );
  });

  it('tracks target-group references: ResourceInUse on delete, LoadBalancerArns, one ALB per group', async () => {
    const lb = await createLoadBalancer(target);
    const other = await createLoadBalancer(target);
    const tg = await createTargetGroup(target);
    const listener = await createHttpListener(target, lb);
    const rule = await target.elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 1,
        Conditions: path('/t'),
        Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    );
    const inUse = await rejection(target.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn })));
    assert.equal(inUse.name, 'ResourceInUseException');
    const foreign = await rejection(
      createHttpListener(target, other, [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }]),
    );
    assert.equal(foreign.name, 'TargetGroupAssociationLimitException');
    await target.elb.send(new DeleteRuleCommand({ RuleArn: rule.Rules?.[0]?.RuleArn }));
    await target.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
  });

  it('modifies a listener: default actions replaced, port moves, HTTPS needs a certificate', async () => {
    const lb = await createLoadBalancer(target);
    const listener = await createHttpListener(target, lb);
    const out = await target.elb.send(
      new ModifyListenerCommand({
        ListenerArn: listener.ListenerArn,
        Port: 8080,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
      }),
    );
    assert.equal(out.Listeners?.[0]?.Port, 8080);
    assert.equal(out.Listeners?.[0]?.DefaultActions?.[0]?.FixedResponseConfig?.StatusCode, '503');
    const https = await rejection(
      target.elb.send(new ModifyListenerCommand({ ListenerArn: listener.ListenerArn, Protocol: 'HTTPS' })),
    );
    assert.equal(https.name, 'InvalidConfigurationRequestException');
    const listed = await target.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    assert.deepEqual(
      listed.Listeners?.map((l) => l.Port),
      [8080],
    );
    const neither = await rejection(target.elb.send(new DescribeListenersCommand({})));
    assert.equal(neither.name, 'ValidationError');
  });
});
