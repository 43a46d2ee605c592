import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AwsTarget } from './support.ts';
import { emulatorOnly, startTarget } from './support.ts';

/**
 * Wire-level fidelity and robustness. These use raw HTTP on purpose: the SDK cannot send malformed
 * requests, and some envelope details (empty list elements, error XML) are invisible through it.
 */
describe('AWS emulator: wire format and malformed requests', () => {
  let target: AwsTarget;
  before(async () => {
    target = await startTarget();
  });
  after(() => target.close());

  const query = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(target.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const json = async (targetHeader: string, body: string) => {
    const res = await fetch(target.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': targetHeader },
      body,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const ec2Scope = {
    authorization:
      'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
  };

  it('wraps results in <Op>Response/<Op>Result, sends x-amzn-RequestId, and writes empty lists as empty elements', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const r = await query('Action=DescribeLoadBalancers&Version=2015-12-01');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/xml');
    assert.match(r.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(
      r.text,
      `<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeLoadBalancersResult><LoadBalancers/></DescribeLoadBalancersResult><ResponseMetadata><RequestId>${r.headers.get('x-amzn-requestid')}</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>`,
    );
  });

  it('answers unknown and missing actions, bad list indices and bad values with the awsQuery error envelope', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const cases: Array<[string, string]> = [
      ['Action=FrobnicateLoadBalancers&Version=2015-12-01', 'InvalidAction'],
      ['Version=2015-12-01', 'MissingAction'],
      ['Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.0=x', 'ValidationError'],
      ['Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.abc=x', 'ValidationError'],
      ['Action=DescribeLoadBalancers&Version=2015-12-01&PageSize=lots', 'ValidationError'],
      ['Action=CreateLoadBalancer&Version=2015-12-01', 'ValidationError'],
      ['Action=CreateRule&Version=2015-12-01&ListenerArn=x&Priority=1', 'ListenerNotFound'],
    ];
    for (const [body, code] of cases) {
      const r = await query(body);
      assert.equal(r.status, 400, body);
      assert.match(
        r.text,
        new RegExp(
          `^<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>[^<]+</Message></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$`,
        ),
        body,
      );
    }
  });

  it('treats `X=` as an empty list, distinct from an absent member', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const r = await query('Action=DescribeLoadBalancers&Version=2015-12-01&LoadBalancerArns=');
    assert.equal(r.status, 200);
    const bad = await query('Action=DescribeLoadBalancers&Version=2015-12-01&LoadBalancerArns=notalist');
    assert.equal(bad.status, 400);
  });

  it('uses the EC2 envelope and error shape for ec2-scoped requests', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const ok = await query('Action=DescribeAvailabilityZones&Version=2016-11-15', ec2Scope);
    assert.match(
      ok.text,
      /^<DescribeAvailabilityZonesResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><availabilityZoneInfo><item><zoneName>us-east-1a<\/zoneName>/,
    );
    const bad = await query('Action=CreateSecurityGroup&Version=2016-11-15', ec2Scope);
    assert.equal(bad.status, 400);
    assert.match(
      bad.text,
      /^<Response><Errors><Error><Code>MissingParameter<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
    );
  });

  it('answers bad JSON and unknown JSON targets with {__type, message} and x-amzn-ErrorType', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const cases: Array<[string, string, string]> = [
      ['CertificateManager.ListCertificates', '{not json', 'SerializationException'],
      ['CertificateManager.ListCertificates', '[1,2]', 'SerializationException'],
      ['CertificateManager.DescribeCertificate', '{}', 'ValidationException'],
      ['CertificateManager.ListCertificates', '{"MaxItems":"ten"}', 'ValidationException'],
      ['CertificateManager.Frobnicate', '{}', 'UnknownOperationException'],
      ['ResourceGroupsTaggingAPI_20170126.GetResources', '{"TagFilters":"x"}', 'ValidationException'],
    ];
    for (const [header, body, code] of cases) {
      const r = await json(header, body);
      assert.equal(r.status, 400, `${header} ${body}`);
      assert.equal(r.headers.get('x-amzn-errortype'), code);
      const parsed = JSON.parse(r.text) as { __type: string; message: string };
      assert.equal(parsed.__type, code);
      assert.equal(typeof parsed.message, 'string');
    }
  });

  it('survives random form bodies: every answer is a well-formed AWS response, never a 5xx', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const actions = [
      'CreateLoadBalancer',
      'CreateRule',
      'CreateListener',
      'ModifyRule',
      'SetRulePriorities',
      'RegisterTargets',
      'AddTags',
      'DescribeRules',
      'CreateTargetGroup',
      'ModifyListener',
    ];
    const segment = fc.oneof(
      fc.constantFrom(
        'member',
        'entry',
        'Conditions',
        'Actions',
        'Values',
        'Field',
        'Type',
        'Priority',
        'Targets',
        'Id',
        'Port',
        'Tags',
        'Key',
        'Value',
        'ForwardConfig',
        'TargetGroups',
        '__proto__',
        'constructor',
      ),
      fc.nat({ max: 3 }).map(String),
      fc.string({ maxLength: 6 }),
    );
    const pair = fc.tuple(
      fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('.')),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...actions), fc.array(pair, { maxLength: 12 }), async (action, pairs) => {
        const body = new URLSearchParams([['Action', action], ['Version', '2015-12-01'], ...pairs]).toString();
        const r = await query(body);
        assert.ok(r.status === 200 || r.status === 400, `status ${r.status} for ${body}`);
        if (r.status === 400)
          assert.match(r.text, /^<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type><Code>[A-Za-z.]+<\/Code>/);
      }),
      { numRuns: 300, seed: 4242 },
    );
  });

  it('survives mutations of valid CreateListener/CreateRule bodies (deep parser paths)', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
    const subnets = await query(
      'Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=tag-key&Filter.1.Value.1=kubernetes.io/role/elb',
      ec2Scope,
    );
    const ids = [...subnets.text.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1] ?? '');
    const lb = /<LoadBalancerArn>([^<]+)</.exec(
      (
        await query(
          form({
            Action: 'CreateLoadBalancer',
            Version: '2015-12-01',
            Name: 'fuzz',
            'Subnets.member.1': ids[0] ?? '',
            'Subnets.member.2': ids[1] ?? '',
          }),
        )
      ).text,
    )?.[1];
    const base: Record<string, string> = {
      Action: 'CreateListener',
      Version: '2015-12-01',
      LoadBalancerArn: lb ?? '',
      Protocol: 'HTTP',
      Port: '80',
      'DefaultActions.member.1.Type': 'redirect',
      'DefaultActions.member.1.RedirectConfig.StatusCode': 'HTTP_301',
      'DefaultActions.member.1.RedirectConfig.Protocol': 'HTTPS',
      'DefaultActions.member.1.Order': '1',
      'Conditions.member.1.Field': 'host-header',
      'Conditions.member.1.HostHeaderConfig.Values.member.1': 'a.example.com',
      'Conditions.member.2.QueryStringConfig.Values.member.1.Key': 'k',
      Priority: '5',
    };
    const listener = /<ListenerArn>([^<]+)</.exec((await query(form(base))).text)?.[1];
    assert.ok(listener, 'the unmutated CreateListener body is valid');
    Object.assign(base, { ListenerArn: listener, Port: '81' });
    const keys = Object.keys(base);
    const value = fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('-1', '0', '99999999999', 'true', '1.5', '%', 'forward', 'HTTPS'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('CreateListener', 'CreateRule', 'ModifyListener', 'ModifyRule'),
        fc.array(fc.tuple(fc.constantFrom(...keys), fc.option(value, { nil: undefined })), { maxLength: 5 }),
        async (action, edits) => {
          const params: Record<string, string> = { ...base, Action: action };
          for (const [k, v] of edits) {
            if (v === undefined) delete params[k];
            else params[k] = v;
          }
          const r = await query(form(params));
          assert.ok(r.status === 200 || r.status === 400, `status ${r.status} for ${form(params)}`);
        },
      ),
      { numRuns: 300, seed: 4444 },
    );
  });

  it('survives random JSON bodies on every JSON operation', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const targets = [
      'CertificateManager.ImportCertificate',
      'CertificateManager.ListCertificates',
      'CertificateManager.DescribeCertificate',
      'CertificateManager.AddTagsToCertificate',
      'ResourceGroupsTaggingAPI_20170126.GetResources',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets),
        fc.oneof(fc.json(), fc.string({ maxLength: 40 })),
        async (header, body) => {
          const r = await json(header, body);
          assert.ok(r.status === 200 || r.status === 400, `status ${r.status} for ${header} ${body}`);
          const parsed = JSON.parse(r.text) as Record<string, unknown>;
          if (r.status === 400) assert.equal(typeof parsed['__type'], 'string');
        },
      ),
      { numRuns: 300, seed: 4343 },
    );
    const alive = await query('Action=DescribeLoadBalancers&Version=2015-12-01');
    assert.equal(alive.status, 200);
  });
});
