import type { CertificateRef } from '../model/stack.ts';

/** PEM material of one certificate, looked up by the shell and passed in as data. */
export interface CertificateMaterial {
  /** PEM certificate chain, leaf first. */
  readonly certificateChain: string;
  /** PEM private key. */
  readonly privateKey: string;
  /** Names the certificate serves (SNI). @default the certificate's DNS SANs, else its CN */
  readonly serverNames?: readonly string[];
}

/** How a Stack is rendered. Every field is data; rendering does no I/O. */
export interface RenderOptions {
  /**
   * `ads`: listeners use RDS, clusters EDS and certificates SDS, all over one ADS stream.
   * `static`: route configurations, endpoints and certificates are inlined (a static bootstrap).
   * @default 'ads'
   */
  readonly mode?: 'ads' | 'static';
  /** The socket address every listener binds. @default '0.0.0.0' */
  readonly address?: string;
  /** Added to each ALB listener port to get the bound port. @default 0 */
  readonly portOffset?: number;
  /** Certificate material by {@link certificateKey}. @default {} */
  readonly certificates?: Readonly<Record<string, CertificateMaterial>>;
  /** IP address by EC2 instance ID, for `instance` target groups. @default {} */
  readonly instanceAddresses?: Readonly<Record<string, string>>;
}

/** RenderOptions with every default applied. */
export interface ResolvedRenderOptions {
  readonly mode: 'ads' | 'static';
  readonly address: string;
  readonly portOffset: number;
  readonly certificates: Readonly<Record<string, CertificateMaterial>>;
  readonly instanceAddresses: Readonly<Record<string, string>>;
}

export function resolveRenderOptions(options: RenderOptions = {}): ResolvedRenderOptions {
  return {
    mode: options.mode ?? 'ads',
    address: options.address ?? '0.0.0.0',
    portOffset: options.portOffset ?? 0,
    certificates: options.certificates ?? {},
    instanceAddresses: options.instanceAddresses ?? {},
  };
}

/** The key a certificate's material is looked up by: `acm:<arn>` or `secret:<namespace>/<name>`. */
export function certificateKey(ref: CertificateRef): string {
  return ref.kind === 'acm' ? `acm:${ref.arn}` : `secret:${ref.namespace}/${ref.name}`;
}

/** The ADS config source every RDS/EDS/SDS reference uses. */
export const ADS_CONFIG_SOURCE = { ads: {}, resource_api_version: 'V3' } as const;
