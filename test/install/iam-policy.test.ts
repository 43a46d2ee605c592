import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildIamPolicy,
  grantedActions,
  grantsFor,
  OWNERSHIP_TAG_KEY,
  UnmappedOperationError,
} from '../../src/aws/iam-policy.ts';
import type { IamPolicyDocument } from '../../src/aws/iam-policy.ts';
import {
  calledOperations,
  policyPath,
  renderPolicy,
  repoRoot,
  scanDirectory,
  scanProvider,
  scanSource,
} from '../../scripts/generate-iam-policy.ts';

const committed = JSON.parse(readFileSync(policyPath, 'utf8')) as IamPolicyDocument;

function actionsOf(text: string): string[] {
  return scanSource('x.ts', text)
    .map((u) => u.action)
    .sort();
}

describe('scanning the code for AWS SDK commands', () => {
  it('finds a named import used with new', () => {
    const text = `import { ELBv2Client, CreateLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
      export const send = (c: ELBv2Client) => c.send(new CreateLoadBalancerCommand({ Name: 'a' }));`;
    assert.deepEqual(actionsOf(text), ['elasticloadbalancing:CreateLoadBalancer']);
  });

  it('finds a renamed import and a command passed as a value', () => {
    const text = `import { DescribeSubnetsCommand as Subnets } from '@aws-sdk/client-ec2';
      const table = { subnets: Subnets };`;
    assert.deepEqual(actionsOf(text), ['ec2:DescribeSubnets']);
  });

  it('finds commands reached through a namespace import', () => {
    const text = `import * as acm from '@aws-sdk/client-acm';
      const c = new acm.ImportCertificateCommand({});`;
    assert.deepEqual(actionsOf(text), ['acm:ImportCertificate']);
  });

  it('maps the tagging API package to the tag: service', () => {
    const text = `import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api'; new GetResourcesCommand({});`;
    assert.deepEqual(actionsOf(text), ['tag:GetResources']);
  });

  it('ignores type-only imports and mentions in types', () => {
    const text = `import type { DeleteRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
      import { type ModifyRuleCommand, CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
      let a: DeleteRuleCommand | ModifyRuleCommand | undefined;
      let b: typeof CreateRuleCommand | undefined;
      function f(x: InstanceType<typeof CreateRuleCommand>): void {}`;
    assert.deepEqual(actionsOf(text), []);
  });

  it('ignores classes of other packages and members that merely share the name', () => {
    const text = `import { CreateRuleCommand } from './local.ts';
      import { DeleteRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
      new CreateRuleCommand(); other.DeleteRuleCommand; const o = { DeleteRuleCommand: 1 };`;
    assert.deepEqual(actionsOf(text), []);
  });

  it('groups uses by operation with every calling file', () => {
    const ops = calledOperations([
      { file: 'b.ts', action: 'ec2:DescribeVpcs' },
      { file: 'a.ts', action: 'ec2:DescribeVpcs' },
      { file: 'a.ts', action: 'acm:ListCertificates' },
    ]);
    assert.deepEqual(ops, [
      { action: 'acm:ListCertificates', files: ['a.ts'] },
      { action: 'ec2:DescribeVpcs', files: ['a.ts', 'b.ts'] },
    ]);
  });
});

describe('building the policy from operations', () => {
  const op = (action: string) => ({ action, files: ['src/aws/x.ts'] });
  const requestTag = { Null: { [`aws:RequestTag/${OWNERSHIP_TAG_KEY}`]: 'false' } };
  const resourceTag = { Null: { [`aws:ResourceTag/${OWNERSHIP_TAG_KEY}`]: 'false' } };

  it('conditions creates on the request tag and changes on the resource tag, reads on *', () => {
    const policy = buildIamPolicy(
      [
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:CreateLoadBalancer',
        'elasticloadbalancing:DescribeLoadBalancers',
      ].map(op),
    );
    assert.deepEqual(policy, {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: ['elasticloadbalancing:DescribeLoadBalancers'], Resource: ['*'] },
        {
          Sid: 'CreateServiceLinkedRoleForElb',
          Effect: 'Allow',
          Action: ['iam:CreateServiceLinkedRole'],
          Resource: ['*'],
          Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
        },
        {
          Sid: 'ElbCreateWithOwnershipTag',
          Effect: 'Allow',
          Action: ['elasticloadbalancing:CreateLoadBalancer'],
          Resource: ['*'],
          Condition: requestTag,
        },
        {
          Sid: 'ElbTagOnCreate',
          Effect: 'Allow',
          Action: ['elasticloadbalancing:AddTags'],
          Resource: ['*'],
          Condition: { StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateLoadBalancer'] }, ...requestTag },
        },
        {
          Sid: 'ElbChangeOwned',
          Effect: 'Allow',
          Action: ['elasticloadbalancing:DeleteLoadBalancer'],
          Resource: ['*'],
          Condition: resourceTag,
        },
      ],
    });
  });

  it('limits security-group statements to security groups, in the requested partition', () => {
    const policy = buildIamPolicy(['ec2:CreateSecurityGroup', 'ec2:DeleteSecurityGroup'].map(op), {
      partition: 'aws-cn',
    });
    const byId = new Map(policy.Statement.map((s) => [s.Sid, s]));
    assert.deepEqual(byId.get('Ec2CreateSecurityGroupInVpc')?.Resource, ['arn:aws-cn:ec2:*:*:vpc/*']);
    assert.deepEqual(byId.get('Ec2CreateWithOwnershipTag')?.Condition, requestTag);
    assert.deepEqual(byId.get('Ec2TagOnCreate')?.Condition, {
      StringEquals: { 'ec2:CreateAction': ['CreateSecurityGroup'] },
      ...requestTag,
    });
    assert.deepEqual(byId.get('Ec2ChangeOwned'), {
      Sid: 'Ec2ChangeOwned',
      Effect: 'Allow',
      Action: ['ec2:DeleteSecurityGroup'],
      Resource: ['arn:aws-cn:ec2:*:*:security-group/*'],
      Condition: resourceTag,
    });
  });

  it('rejects a mutating operation that has no statement, naming it and its caller', () => {
    assert.throws(
      () => buildIamPolicy([op('ec2:CreateVpc')]),
      (e: unknown) => e instanceof UnmappedOperationError && /ec2:CreateVpc.*src\/aws\/x\.ts/.test(e.message),
    );
  });

  it('is deterministic whatever the order of the calls', () => {
    const ops = [
      'acm:ImportCertificate',
      'acm:ListCertificates',
      'elasticloadbalancing:CreateRule',
      'tag:GetResources',
    ];
    assert.deepEqual(buildIamPolicy(ops.map(op)), buildIamPolicy([...ops].reverse().map(op)));
  });
});

describe('the committed policy (manifests/iam/policy.json)', () => {
  const called = scanProvider();

  it('equals what the generator produces from the code now', async () => {
    const expected = await renderPolicy(buildIamPolicy(called));
    assert.equal(readFileSync(policyPath, 'utf8'), expected, 'run: node scripts/generate-iam-policy.ts');
  });

  it('grants every operation the code calls', () => {
    const granted = grantedActions(committed);
    const missing = called.filter((op) => !granted.has(op.action)).map((op) => `${op.action} (${op.files.join(', ')})`);
    assert.deepEqual(missing, []);
  });

  it('grants nothing the code never calls, except what AWS checks implicitly for a called operation', () => {
    const justified = new Set(called.flatMap((op) => grantsFor(op).map((g) => g.action)));
    const extra = [...grantedActions(committed)].filter((a) => !justified.has(a));
    assert.deepEqual(extra, []);
    for (const op of called) {
      for (const g of grantsFor(op)) {
        if (g.action !== op.action) assert.ok(g.because, `${g.action} (implied by ${op.action}) must say why`);
      }
    }
  });

  it('conditions every mutating action on the ownership tag', () => {
    for (const statement of committed.Statement) {
      if (statement.Sid === 'Read') continue;
      const text = JSON.stringify(statement.Condition ?? {});
      // The one exception is naming the VPC a new group goes into; the group itself must carry the tag.
      if (statement.Sid === 'Ec2CreateSecurityGroupInVpc') {
        assert.deepEqual(statement.Action, ['ec2:CreateSecurityGroup']);
        continue;
      }
      // Backend rules go on the targets' security groups, which Portico does not own; only ingress rules.
      if (statement.Sid === 'Ec2IngressRulesOnTargetGroups') {
        assert.deepEqual(statement.Action, ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress']);
        assert.deepEqual(statement.Resource, ['arn:aws:ec2:*:*:security-group/*']);
        continue;
      }
      if (statement.Sid === 'CreateServiceLinkedRoleForElb') {
        assert.match(text, /elasticloadbalancing\.amazonaws\.com/);
        continue;
      }
      assert.ok(text.includes(`/${OWNERSHIP_TAG_KEY}`), `${statement.Sid} must be conditioned on ${OWNERSHIP_TAG_KEY}`);
    }
    for (const action of committed.Statement.find((s) => s.Sid === 'Read')?.Action ?? []) {
      assert.match(action, /:(Describe|List|Get)/, `${action} is granted without condition but is not a read`);
    }
  });

  it('is not bypassed: outside src/aws only the emulators and `portico local` use the SDK commands', () => {
    const uses = scanDirectory(join(repoRoot, 'src')).filter((u) => !/^src\/(aws|emulator|local)\//.test(u.file));
    assert.deepEqual(uses, [], 'AWS calls belong in src/aws so the generated IAM policy covers them');
  });
});
