import type { Diagnostic } from '../model/diagnostic.ts';

/**
 * Portico's own view of the Kubernetes objects translation reads. `src/k8s/convert.ts` builds these
 * from raw API objects (validating every field), so the pure core never sees client-node types and
 * never has to defend against missing fields: every list is present (maybe empty), every map too.
 */

/** Metadata common to every object. `namespace` is set on namespaced objects only. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  /** RFC 3339 creation time, as the API server reports it. */
  readonly creationTimestamp?: string;
  /** Set once deletion has been requested (the object lingers while finalizers remain). */
  readonly deletionTimestamp?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly finalizers: readonly string[];
}

/** Metadata of a namespaced object: `namespace` is always known. */
export interface NamespacedMeta extends ObjectMeta {
  readonly namespace: string;
}

// ---- Ingress (networking.k8s.io/v1) -----------------------------------------------------------

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** `service.port` of a backend: by number or by name (`use-annotation` selects an `actions.*` annotation). */
export type ServiceBackendPort =
  { readonly kind: 'number'; readonly number: number } | { readonly kind: 'name'; readonly name: string };

export type IngressBackend =
  | { readonly kind: 'service'; readonly service: { readonly name: string; readonly port: ServiceBackendPort } }
  /** A `resource` backend (TypedLocalObjectReference); ALB cannot serve it, translation reports it. */
  | { readonly kind: 'resource'; readonly apiGroup?: string; readonly resourceKind: string; readonly name: string };

export interface HttpIngressPath {
  /** Omitted for ImplementationSpecific paths without a path. */
  readonly path?: string;
  readonly pathType: PathType;
  readonly backend: IngressBackend;
}

export interface IngressRule {
  /** Exact (`foo.example.com`) or single-label wildcard (`*.example.com`) host; omitted = any host. */
  readonly host?: string;
  /** `http.paths`; empty when the rule has no `http` block. */
  readonly paths: readonly HttpIngressPath[];
}

export interface IngressTls {
  readonly hosts: readonly string[];
  readonly secretName?: string;
}

export interface LoadBalancerIngressStatus {
  readonly hostname?: string;
  readonly ip?: string;
}

export interface Ingress {
  readonly kind: 'Ingress';
  readonly metadata: NamespacedMeta;
  readonly spec: {
    readonly ingressClassName?: string;
    readonly defaultBackend?: IngressBackend;
    readonly rules: readonly IngressRule[];
    readonly tls: readonly IngressTls[];
  };
  readonly status: { readonly loadBalancer: { readonly ingress: readonly LoadBalancerIngressStatus[] } };
  /**
   * Shape errors found while converting the raw object (a bad pathType, a backend without a
   * service…). An Ingress with problems is kept, so it stays a known member of its group, but
   * translation leaves it out of the load balancer and reports these.
   */
  readonly problems?: readonly Diagnostic[];
}

// ---- IngressClass and IngressClassParams -------------------------------------------------------

export interface IngressClass {
  readonly kind: 'IngressClass';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** `portico.dev/ingress-controller` for Portico's classes. */
    readonly controller: string;
    readonly parameters?: {
      readonly apiGroup?: string;
      readonly kind: string;
      readonly name: string;
      readonly scope?: string;
      readonly namespace?: string;
    };
  };
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/**
 * `IngressClassParams` (`portico.dev/v1alpha1`), field-compatible with the AWS Load Balancer
 * Controller's `elbv2.k8s.aws/v1beta1` kind. Every field is optional; a set field overrides the
 * matching annotation for every Ingress of the class.
 */
export interface IngressClassParams {
  readonly kind: 'IngressClassParams';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly loadBalancerName?: string;
    readonly namespaceSelector?: LabelSelector;
    readonly group?: { readonly name: string };
    readonly scheme?: string;
    readonly ipAddressType?: string;
    readonly inboundCIDRs?: readonly string[];
    readonly prefixListsIDs?: readonly string[];
    readonly certificateArn?: readonly string[];
    readonly sslPolicy?: string;
    readonly sslRedirectPort?: string;
    readonly subnets?: {
      readonly ids?: readonly string[];
      readonly tags?: Readonly<Record<string, readonly string[]>>;
    };
    readonly tags?: readonly KeyValue[];
    readonly targetType?: string;
    readonly loadBalancerAttributes?: readonly KeyValue[];
    readonly listeners?: readonly {
      readonly protocol: string;
      readonly port: number;
      readonly listenerAttributes: readonly KeyValue[];
    }[];
    /** Fields Portico reads but does not implement yet (WAF, IPAM, capacity): reported as warnings. */
    readonly unsupported: readonly string[];
  };
}

// ---- Namespace, Service, EndpointSlice, Node, Secret -------------------------------------------

export interface Namespace {
  readonly kind: 'Namespace';
  readonly metadata: ObjectMeta;
}

export interface ServicePort {
  readonly name?: string;
  readonly protocol: string;
  readonly port: number;
  /** Number or named container port; omitted means the same as `port`. */
  readonly targetPort?: number | string;
  readonly nodePort?: number;
  readonly appProtocol?: string;
}

export interface Service {
  readonly kind: 'Service';
  readonly metadata: NamespacedMeta;
  readonly spec: {
    readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    readonly ports: readonly ServicePort[];
  };
}

export interface EndpointConditions {
  /** `undefined` counts as ready (Kubernetes: "nil should be interpreted as true"). */
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly conditions: EndpointConditions;
  readonly nodeName?: string;
  readonly zone?: string;
}

export interface EndpointSlicePort {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

export interface EndpointSlice {
  readonly kind: 'EndpointSlice';
  /** `labels['kubernetes.io/service-name']` names the Service. */
  readonly metadata: NamespacedMeta;
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly EndpointSlicePort[];
}

export interface NodeAddress {
  readonly type: string;
  readonly address: string;
}

export interface Node {
  readonly kind: 'Node';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly providerID?: string; readonly unschedulable: boolean };
  readonly status: {
    readonly addresses: readonly NodeAddress[];
    /** Status of the `Ready` condition: `True`, `False` or `Unknown` (absent = `Unknown`). */
    readonly ready: 'True' | 'False' | 'Unknown';
  };
}

/**
 * A Secret, with its data base64-decoded to UTF-8. TLS Secrets (`kubernetes.io/tls`) carry
 * `tls.crt` and `tls.key`; OIDC Secrets carry `clientID` and `clientSecret`.
 */
export interface Secret {
  readonly kind: 'Secret';
  readonly metadata: NamespacedMeta;
  readonly type: string;
  readonly data: Readonly<Record<string, string>>;
  /** DNS names of the leaf certificate in `tls.crt` (SANs, else CN), when it parsed; for diagnostics. */
  readonly certificateDnsNames?: readonly string[];
}

/** A Secret used for TLS (`spec.tls[].secretName`). */
export type TlsSecret = Secret;

// ---- Certificate catalog (read from ACM by the shell, before translation) ------------------------

export type AcmCertificateStatus =
  'ISSUED' | 'PENDING_VALIDATION' | 'INACTIVE' | 'EXPIRED' | 'VALIDATION_TIMED_OUT' | 'REVOKED' | 'FAILED';

export interface AcmCertificate {
  readonly arn: string;
  readonly domainName: string;
  readonly subjectAlternativeNames: readonly string[];
  readonly status: AcmCertificateStatus;
  /** e.g. `RSA_2048`, `EC_prime256v1`. */
  readonly keyAlgorithm?: string;
  /** RFC 3339 times. */
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly type?: 'IMPORTED' | 'AMAZON_ISSUED' | 'PRIVATE';
  readonly inUse?: boolean;
  /** Certificates Portico imported from TLS Secrets: never picked by host discovery. */
  readonly managedByPortico?: boolean;
}

/** Certificates available for discovery. */
export interface CertificateCatalog {
  readonly certificates: readonly AcmCertificate[];
}

// ---- The snapshot ------------------------------------------------------------------------------

/** Everything translation reads, as one immutable value. */
export interface ClusterSnapshot {
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses: readonly IngressClass[];
  readonly ingressClassParams: readonly IngressClassParams[];
  readonly namespaces: readonly Namespace[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly nodes: readonly Node[];
  readonly secrets: readonly Secret[];
}

export function emptySnapshot(): ClusterSnapshot {
  return {
    ingresses: [],
    ingressClasses: [],
    ingressClassParams: [],
    namespaces: [],
    services: [],
    endpointSlices: [],
    nodes: [],
    secrets: [],
  };
}

/** `namespace/name` of a namespaced object. */
export interface IngressRef {
  readonly namespace: string;
  readonly name: string;
}

export function refKey(ref: IngressRef): string {
  return `${ref.namespace}/${ref.name}`;
}
