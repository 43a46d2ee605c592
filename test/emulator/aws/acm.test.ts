import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  DescribeListenerCertificatesCommand,
  RemoveListenerCertificatesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsTarget } from './support.ts';
import { blob, emulatorOnly, fixture, rejection, startTarget } from './support.ts';
import { createLoadBalancer, notFound } from './scaffold.ts';

describe('AWS emulator: ACM through the real SDK', () => {
  let target: AwsTarget;
  before(async () => {
    target = await startTarget({ quotas: { certificatesPerLoadBalancer: 1 } });
  });
  after(() => target.close());

  const importRsa = async () =>
    (
      await target.acm.send(
        new ImportCertificateCommand({
          Certificate: blob(fixture('example-rsa.crt')),
          PrivateKey: blob(fixture('example-rsa.key')),
          Tags: [{ Key: 'portico.dev/cluster', Value: 'test' }],
        }),
      )
    ).CertificateArn ?? '';

  it('imports a PEM and reads its names, key algorithm, validity and usages', async () => {
    const arn = await importRsa();
    assert.match(arn, /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/);
    const { Certificate: c } = await target.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    assert.equal(c?.DomainName, 'example.com');
    assert.deepEqual(c?.SubjectAlternativeNames, ['example.com', 'www.example.com', '*.example.com']);
    assert.equal(c?.KeyAlgorithm, 'RSA_2048');
    assert.equal(c?.Type, 'IMPORTED');
    assert.equal(c?.Status, 'ISSUED');
    assert.ok(c?.NotAfter instanceof Date && c.NotAfter.getTime() > Date.parse('2100-01-01'));
    assert.ok(c?.ImportedAt instanceof Date);
    assert.deepEqual(c?.InUseBy, []);
    assert.deepEqual(
      c?.ExtendedKeyUsages?.map((u) => u.Name),
      ['TLS_WEB_SERVER_AUTHENTICATION'],
    );
    const got = await target.acm.send(new GetCertificateCommand({ CertificateArn: arn }));
    assert.equal(got.Certificate?.trim(), fixture('example-rsa.crt').trim());
  });

  it('keeps a chain, and re-imports in place under the same ARN', async () => {
    const first = await target.acm.send(
      new ImportCertificateCommand({
        Certificate: blob(fixture('leaf.crt')),
        PrivateKey: blob(fixture('leaf.key')),
        CertificateChain: blob(fixture('ca.crt')),
      }),
    );
    const arn = first.CertificateArn ?? '';
    const got = await target.acm.send(new GetCertificateCommand({ CertificateArn: arn }));
    assert.equal(got.CertificateChain?.trim(), fixture('ca.crt').trim());
    const again = await target.acm.send(
      new ImportCertificateCommand({
        CertificateArn: arn,
        Certificate: blob(fixture('example-rsa.crt')),
        PrivateKey: blob(fixture('example-rsa.key')),
      }),
    );
    assert.equal(again.CertificateArn, arn);
    const { Certificate: c } = await target.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    assert.equal(c?.DomainName, 'example.com');
  });

  it('rejects a key that does not match, garbage PEM, and unknown or malformed ARNs', async () => {
    const mismatch = await rejection(
      target.acm.send(
        new ImportCertificateCommand({
          Certificate: blob(fixture('example-rsa.crt')),
          PrivateKey: blob(fixture('leaf.key')),
        }),
      ),
    );
    assert.equal(mismatch.name, 'ValidationException');
    const garbage = await rejection(
      target.acm.send(
        new ImportCertificateCommand({ Certificate: blob('not a pem'), PrivateKey: blob(fixture('leaf.key')) }),
      ),
    );
    assert.equal(garbage.name, 'ValidationException');
    const unknown = await rejection(
      target.acm.send(
        new DescribeCertificateCommand({
          CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000',
        }),
      ),
    );
    assert.equal(unknown.name, 'ResourceNotFoundException');
    const malformed = await rejection(
      target.acm.send(new DescribeCertificateCommand({ CertificateArn: 'not-an-arn-but-long-enough' })),
    );
    assert.equal(malformed.name, 'InvalidArnException');
  });

  it('lists RSA certificates by default and EC ones only when asked; pages with NextToken', async () => {
    const ec = (
      await target.acm.send(
        new ImportCertificateCommand({
          Certificate: blob(fixture('other-ec.crt')),
          PrivateKey: blob(fixture('other-ec.key')),
        }),
      )
    ).CertificateArn;
    const plain = await target.acm.send(new ListCertificatesCommand({}));
    assert.ok(
      !(plain.CertificateSummaryList ?? []).some((s) => s.CertificateArn === ec),
      'EC certificates are hidden without Includes.keyTypes',
    );
    const withEc = await target.acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1'] } }));
    assert.deepEqual(
      withEc.CertificateSummaryList?.map((s) => s.CertificateArn),
      [ec],
    );
    assert.equal(withEc.CertificateSummaryList?.[0]?.KeyAlgorithm, 'EC_prime256v1');
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await target.acm.send(new ListCertificatesCommand({ MaxItems: 1, NextToken: token }));
      seen.push(...(page.CertificateSummaryList ?? []).map((s) => s.CertificateArn ?? ''));
      token = page.NextToken;
    } while (token !== undefined);
    assert.equal(seen.length, plain.CertificateSummaryList?.length);
  });

  it('tags certificates', async () => {
    const arn = await importRsa();
    await target.acm.send(
      new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'owner', Value: 'me' }] }),
    );
    await target.acm.send(
      new RemoveTagsFromCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'portico.dev/cluster' }] }),
    );
    const tags = await target.acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    assert.deepEqual(tags.Tags, [{ Key: 'owner', Value: 'me' }]);
  });

  it('HTTPS listeners use certificates: InUseBy, ResourceInUse on delete, SNI list and TooManyCertificates', async () => {
    const arn = await importRsa();
    const sni = await importRsa();
    const third = await importRsa();
    const lb = await createLoadBalancer(target);
    const created = await target.elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTPS',
        Port: 443,
        Certificates: [{ CertificateArn: arn }],
        DefaultActions: [notFound],
      }),
    );
    const listener = created.Listeners?.[0];
    assert.equal(listener?.SslPolicy, 'ELBSecurityPolicy-2016-08');
    assert.deepEqual(listener?.Certificates, [{ CertificateArn: arn }]);
    const { Certificate: c } = await target.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    assert.deepEqual(c?.InUseBy, [lb.LoadBalancerArn]);
    const busy = await rejection(target.acm.send(new DeleteCertificateCommand({ CertificateArn: arn })));
    assert.equal(busy.name, 'ResourceInUseException');
    await target.elb.send(
      new AddListenerCertificatesCommand({
        ListenerArn: listener?.ListenerArn,
        Certificates: [{ CertificateArn: sni }],
      }),
    );
    const listed = await target.elb.send(
      new DescribeListenerCertificatesCommand({ ListenerArn: listener?.ListenerArn }),
    );
    assert.deepEqual(listed.Certificates, [
      { CertificateArn: arn, IsDefault: true },
      { CertificateArn: sni, IsDefault: false },
    ]);
    const removeDefault = await rejection(
      target.elb.send(
        new RemoveListenerCertificatesCommand({
          ListenerArn: listener?.ListenerArn,
          Certificates: [{ CertificateArn: arn }],
        }),
      ),
    );
    assert.equal(removeDefault.name, 'OperationNotPermittedException');
    const missing = await rejection(
      target.elb.send(
        new AddListenerCertificatesCommand({
          ListenerArn: listener?.ListenerArn,
          Certificates: [{ CertificateArn: `${arn.slice(0, -4)}ffff` }],
        }),
      ),
    );
    assert.equal(missing.name, 'CertificateNotFoundException');
    if (target.emulator !== undefined) {
      // The quota is lowered to 1 SNI certificate in this suite; AWS allows 25.
      const tooMany = await rejection(
        target.elb.send(
          new AddListenerCertificatesCommand({
            ListenerArn: listener?.ListenerArn,
            Certificates: [{ CertificateArn: third }],
          }),
        ),
      );
      assert.equal(tooMany.name, 'TooManyCertificatesException');
    }
    const noCert = await rejection(
      target.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTPS',
          Port: 8443,
          DefaultActions: [notFound],
        }),
      ),
    );
    assert.equal(noCert.name, 'InvalidConfigurationRequestException');
  });

  it('refuses certificates that have expired at import time', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const future = await startTarget({
      clock: { now: () => Date.parse('2200-01-01T00:00:00Z'), setTimeout: () => 0, clearTimeout: () => undefined },
    });
    try {
      const e = await rejection(
        future.acm.send(
          new ImportCertificateCommand({
            Certificate: blob(fixture('example-rsa.crt')),
            PrivateKey: blob(fixture('example-rsa.key')),
          }),
        ),
      );
      assert.equal(e.name, 'ValidationException');
      assert.match(e.message, /expired/);
    } finally {
      await future.close();
    }
  });
});
