import type { ListenerSpec } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { attribute, report } from './render-context.ts';
import type { RenderContext } from './render-context.ts';
import { ADS_CONFIG_SOURCE, certificateKey } from './render-options.ts';
import { inlineTlsCertificate, resolveCertificate } from './render-secret.ts';
import type { ResolvedCertificate } from './render-secret.ts';
import { EXTENSION, MESSAGE, typeUrl } from './type-urls.ts';

/**
 * HTTPS listeners: which certificate serves which SNI names, and the DownstreamTlsContext of each
 * filter chain (docs/envoy-mapping.md, "Listener").
 */

/** ALB's default policy for new HTTPS listeners. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** One certificate's filter chain: no `serverNames` for the listener's default certificate. */
export interface CertificateChain {
  readonly certificate: ResolvedCertificate;
  readonly serverNames?: readonly string[];
}

/** TLS versions an ALB security policy allows, read from its name. */
export function tlsVersions(policy: string): { readonly min: string; readonly max: string } {
  const tls13 = policy.includes('TLS13');
  if (/TLS13-1-3/.test(policy)) return { min: 'TLSv1_3', max: 'TLSv1_3' };
  if (/(TLS13|TLS|FS)-1-2/.test(policy)) return { min: 'TLSv1_2', max: tls13 ? 'TLSv1_3' : 'TLSv1_2' };
  if (/(TLS|FS)-1-1/.test(policy)) return { min: 'TLSv1_1', max: 'TLSv1_2' };
  return { min: 'TLSv1_0', max: tls13 ? 'TLSv1_3' : 'TLSv1_2' };
}

/** ECDHE with AES-GCM: the TLS 1.2 ciphers of ALB's restricted (`-Res-`) policies. */
const ECDHE_GCM = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];

/** ECDHE key exchange only: the TLS 1.2 ciphers of ALB's forward-secrecy (`-FS-`) policies. */
const ECDHE_ANY = [
  ...ECDHE_GCM,
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
];

/**
 * TLS 1.2 (and older) cipher suites an ALB security policy allows, read from its name, when the policy
 * restricts them beyond the data plane's defaults: restricted (`Res`) policies allow only ECDHE with
 * AES-GCM, forward-secrecy (`FS`) policies only ECDHE. Undefined: the data plane's default list.
 * (TLS 1.3 suites are not configurable in Envoy and are all allowed by every ALB policy.)
 */
export function tlsCipherSuites(policy: string): readonly string[] | undefined {
  if (/-Res-/.test(policy)) return ECDHE_GCM;
  if (/-FS-/.test(policy)) return ECDHE_ANY;
  return undefined;
}

/**
 * The filter chains' certificates: the first (default) one without server names, the others with the
 * names no earlier certificate claimed. Undefined when the default certificate has no material.
 */
export function certificateChains(
  ctx: RenderContext,
  listener: ListenerSpec,
  at: string,
): CertificateChain[] | undefined {
  const chains: CertificateChain[] = [];
  const claimed = new Set<string>();
  const seen = new Set<string>();
  for (const [i, ref] of listener.certificates.entries()) {
    const key = certificateKey(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    const material = ctx.options.certificates[key];
    if (material === undefined) {
      report(ctx, 'CertificateUnavailable', `${at}.certificates[${i}]`, `no certificate material for ${key}`);
      if (i === 0) return undefined;
      continue;
    }
    const certificate = resolveCertificate(ref, material);
    const names = certificate.serverNames.filter((n) => !claimed.has(n));
    for (const n of certificate.serverNames) claimed.add(n);
    if (i === 0) chains.push({ certificate });
    else if (names.length > 0) chains.push({ certificate, serverNames: names });
  }
  if (chains.length === 0) {
    report(ctx, 'CertificateUnavailable', `${at}.certificates`, 'an HTTPS listener needs a default certificate');
    return undefined;
  }
  return chains;
}

/** The `transport_socket` of a chain serving `certificate`. */
export function downstreamTls(
  ctx: RenderContext,
  listener: ListenerSpec,
  certificate: ResolvedCertificate,
): JsonObject {
  const policy = listener.sslPolicy ?? DEFAULT_SSL_POLICY;
  const versions = tlsVersions(policy);
  const ciphers = tlsCipherSuites(policy);
  const http2 = attribute(ctx.stack.loadBalancer.attributes, 'routing.http2.enabled') !== 'false';
  const certificates =
    ctx.options.mode === 'ads'
      ? { tls_certificate_sds_secret_configs: [{ name: certificate.secretName, sds_config: ADS_CONFIG_SOURCE }] }
      : { tls_certificates: [inlineTlsCertificate(certificate)] };
  return {
    name: EXTENSION.tlsTransportSocket,
    typed_config: {
      '@type': typeUrl(MESSAGE.downstreamTlsContext),
      common_tls_context: {
        tls_params: {
          tls_minimum_protocol_version: versions.min,
          tls_maximum_protocol_version: versions.max,
          ...(ciphers !== undefined ? { cipher_suites: [...ciphers] } : {}),
        },
        alpn_protocols: http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
        ...certificates,
      },
    },
  };
}
