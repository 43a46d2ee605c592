/** The ALB security policies DescribeSSLPolicies lists and listeners accept (a representative subset). */

export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];
const LEGACY_CIPHERS = [
  ...TLS12_CIPHERS,
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-RSA-AES256-SHA',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
];

export interface SslPolicy {
  readonly name: string;
  readonly protocols: readonly string[];
  readonly ciphers: readonly string[];
}

const policy = (name: string, protocols: string[], ciphers: string[]): SslPolicy => ({ name, protocols, ciphers });

export const SSL_POLICIES: readonly SslPolicy[] = [
  policy('ELBSecurityPolicy-2016-08', ['TLSv1', 'TLSv1.1', 'TLSv1.2'], LEGACY_CIPHERS),
  policy('ELBSecurityPolicy-TLS13-1-2-2021-06', ['TLSv1.2', 'TLSv1.3'], [...TLS13_CIPHERS, ...LEGACY_CIPHERS]),
  policy('ELBSecurityPolicy-TLS13-1-2-Res-2021-06', ['TLSv1.2', 'TLSv1.3'], [...TLS13_CIPHERS, ...TLS12_CIPHERS]),
  policy('ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06', ['TLSv1.2', 'TLSv1.3'], [...TLS13_CIPHERS, ...LEGACY_CIPHERS]),
  policy('ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06', ['TLSv1.2', 'TLSv1.3'], [...TLS13_CIPHERS, ...LEGACY_CIPHERS]),
  policy('ELBSecurityPolicy-TLS13-1-3-2021-06', ['TLSv1.3'], TLS13_CIPHERS),
  policy(
    'ELBSecurityPolicy-TLS13-1-1-2021-06',
    ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    [...TLS13_CIPHERS, ...LEGACY_CIPHERS],
  ),
  policy(
    'ELBSecurityPolicy-TLS13-1-0-2021-06',
    ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    [...TLS13_CIPHERS, ...LEGACY_CIPHERS],
  ),
  policy('ELBSecurityPolicy-TLS-1-2-2017-01', ['TLSv1.2'], LEGACY_CIPHERS),
  policy('ELBSecurityPolicy-TLS-1-2-Ext-2018-06', ['TLSv1.2'], LEGACY_CIPHERS),
  policy('ELBSecurityPolicy-TLS-1-1-2017-01', ['TLSv1.1', 'TLSv1.2'], LEGACY_CIPHERS),
  policy('ELBSecurityPolicy-FS-1-2-Res-2020-10', ['TLSv1.2'], TLS12_CIPHERS),
  policy('ELBSecurityPolicy-2015-05', ['TLSv1', 'TLSv1.1', 'TLSv1.2'], LEGACY_CIPHERS),
];

export function findSslPolicy(name: string): SslPolicy | undefined {
  return SSL_POLICIES.find((p) => p.name === name);
}
