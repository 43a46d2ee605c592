import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ControllerIdentity, loadControllerPolicy } from '../../infra/lib/controller-identity.ts';
import { PorticoEksStack } from '../../infra/lib/portico-eks-stack.ts';
import { buildIamPolicy } from '../../src/aws/iam-policy.ts';
import { find, helmTemplate } from './render.ts';

/** CloudFormation intrinsics as readable placeholders (`${AWS::Region}`), so token-bearing strings compare. */
function flatten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flatten);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if ('Ref' in o) return `\${${String(o['Ref'])}}`;
  if ('Fn::Sub' in o) return String(o['Fn::Sub']);
  if ('Fn::GetAtt' in o) return `\${${(o['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => String(flatten(p))).join(sep);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, flatten(v)]));
}

/** IAM documents as IAM reads them: a lone string equals a one-element list. */
function normalizePolicy(document: unknown): unknown {
  const doc = document as { Statement: Array<Record<string, unknown>> };
  const list = (v: unknown) => (Array.isArray(v) ? [...(v as string[])].sort() : [v]);
  return doc.Statement.map((s) => ({
    ...s,
    Action: list(s['Action']),
    Resource: list(s['Resource']),
    ...(s['Condition'] === undefined
      ? {}
      : {
          Condition: Object.fromEntries(
            Object.entries(s['Condition'] as Record<string, Record<string, unknown>>).map(([op, keys]) => [
              op,
              Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
            ]),
          ),
        }),
  }));
}

function onlyResource(template: Template, type: string): Record<string, unknown> {
  const all = Object.values(template.findResources(type));
  assert.equal(all.length, 1, `exactly one ${type}`);
  return all[0] as Record<string, unknown>;
}

describe('CDK app (infra/): the synthesized template', () => {
  let outdir: string;
  let template: Template;
  let stack: PorticoEksStack;
  before(() => {
    outdir = mkdtempSync(join(tmpdir(), 'portico-cdk-'));
    // Staging copies the kubectl layer and the image context; the template is the same without it.
    const app = new App({ outdir, context: { 'aws:cdk:disable-asset-staging': true } });
    stack = new PorticoEksStack(app, 'PorticoTest', { clusterName: 'portico-test' });
    template = Template.fromStack(stack);
  });
  after(() => rmSync(outdir, { recursive: true, force: true }));

  it('tags public subnets for internet-facing and private ones for internal load balancers', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')) as Array<{
      Properties: { MapPublicIpOnLaunch: boolean; Tags: Array<{ Key: string; Value: string }> };
    }>;
    assert.equal(subnets.length, 4);
    for (const subnet of subnets) {
      const tags = Object.fromEntries(subnet.Properties.Tags.map((t) => [t.Key, t.Value]));
      const role = subnet.Properties.MapPublicIpOnLaunch ? 'kubernetes.io/role/elb' : 'kubernetes.io/role/internal-elb';
      const other = subnet.Properties.MapPublicIpOnLaunch
        ? 'kubernetes.io/role/internal-elb'
        : 'kubernetes.io/role/elb';
      assert.equal(tags[role], '1');
      assert.equal(tags[other], undefined);
      assert.equal(tags['kubernetes.io/cluster/portico-test'], 'shared');
    }
    assert.equal(subnets.filter((s) => s.Properties.MapPublicIpOnLaunch).length, 2);
  });

  it('creates an EKS 1.35 cluster named like Portico’s --cluster-name', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', { Name: 'portico-test', Version: '1.35' });
  });

  it('gives the controller role exactly the generated IAM policy (manifests/iam/policy.json)', () => {
    const generated = loadControllerPolicy() as { Statement: unknown[] };
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as Array<{
      Properties: { PolicyDocument: unknown; Roles: unknown[] };
    }>;
    const roleRef = stack.resolve(stack.controller.role.roleName) as unknown;
    const attached = policies.filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([roleRef]));
    if (generated.Statement.length === 0) {
      // Until provider code calls AWS, the role has no permission at all (IAM rejects an empty policy).
      assert.equal(attached.length, 0);
      return;
    }
    assert.equal(attached.length, 1);
    assert.deepEqual(normalizePolicy(attached[0]?.Properties.PolicyDocument), normalizePolicy(generated));
    const inline = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: { Roles: unknown[] };
    }>;
    assert.ok(!inline.some((p) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify(roleRef))));
  });

  it('lets only EKS Pod Identity assume the role, for the chart’s ServiceAccount', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Portico ingress controller',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { Service: 'pods.eks.amazonaws.com' },
          }),
        ],
      },
    });
    const association = onlyResource(template, 'AWS::EKS::PodIdentityAssociation') as {
      Properties: { Namespace: string; ServiceAccount: string };
      DependsOn: string[];
    };
    assert.equal(association.Properties.Namespace, 'portico-system');
    assert.equal(association.Properties.ServiceAccount, 'portico');
    assert.ok(association.DependsOn.some((d) => d.includes('PodIdentityAgent')));
  });

  it('installs the chart with the cluster name, region and the image built from the Dockerfile', async () => {
    const release = onlyResource(template, 'Custom::AWSCDK-EKS-HelmChart') as {
      Properties: Record<string, unknown>;
      DependsOn: string[];
    };
    assert.equal(release.Properties['Release'], 'portico');
    assert.equal(release.Properties['Namespace'], 'portico-system');
    assert.equal(release.Properties['CreateNamespace'], true);
    assert.match(String(flatten(release.Properties['ChartAssetURL'])), /^s3:\/\/.+\.zip$/);
    const values = JSON.parse(String(flatten(release.Properties['Values']))) as Record<string, unknown> & {
      image: { repository: string; tag: string };
    };
    assert.equal(values['clusterName'], 'portico-test');
    assert.equal(values['region'], '${AWS::Region}');
    assert.match(values.image.repository, /\.dkr\.ecr\..*container-assets/);
    assert.match(values.image.tag, /^[0-9a-f]{64}$/);
    assert.deepEqual(values['ingressClass'], { name: 'portico', default: false });
    assert.ok(release.DependsOn.some((d) => d.startsWith('ControllerAssociation')));

    // The same values through the real chart: it renders, and its ServiceAccount is the associated one.
    const objects = await helmTemplate({}, { setJson: values });
    assert.equal(find(objects, 'ServiceAccount', 'portico').metadata.namespace, 'portico-system');
  });

  it('deploys the example app behind a Portico Ingress after the chart', () => {
    const manifest = onlyResource(template, 'Custom::AWSCDK-EKS-KubernetesResource') as {
      Properties: { Manifest: unknown };
      DependsOn: string[];
    };
    const objects = JSON.parse(String(flatten(manifest.Properties.Manifest))) as Array<{
      kind: string;
      spec: { ingressClassName?: string };
    }>;
    assert.deepEqual(
      objects.map((o) => o.kind),
      ['Deployment', 'Service', 'Ingress'],
    );
    assert.equal(objects[2]?.spec.ingressClassName, 'portico');
    assert.ok(manifest.DependsOn.some((d) => d.startsWith('ClusterchartPortico')));
  });
});

describe('ControllerIdentity with a non-empty generated policy', () => {
  it('attaches the document unchanged as one managed policy', () => {
    const document = buildIamPolicy(
      [
        'elasticloadbalancing:CreateLoadBalancer',
        'elasticloadbalancing:DescribeLoadBalancers',
        'ec2:CreateSecurityGroup',
        'acm:ImportCertificate',
      ].map((action) => ({ action, files: ['src/aws/x.ts'] })),
    );
    const stack = new Stack(new App(), 'Identity');
    new ControllerIdentity(stack, 'Controller', {
      clusterName: 'c',
      namespace: 'portico-system',
      serviceAccount: 'portico',
      policyDocument: structuredClone(document) as unknown as Record<string, unknown>,
    });
    const template = Template.fromStack(stack);
    const policy = onlyResource(template, 'AWS::IAM::ManagedPolicy') as { Properties: { PolicyDocument: unknown } };
    assert.deepEqual(normalizePolicy(policy.Properties.PolicyDocument), normalizePolicy(document));
  });
});
