import type { Ingress, IngressBackend } from '../ingress/types.ts';

/**
 * What an Ingress points at, as `namespace/name` keys: the Services of its backends (including
 * those named inside `actions.*` annotations) and the Secrets it needs (TLS `secretName`s, and the
 * OIDC `secretName` of `auth-idp-oidc`). Used to route Service, EndpointSlice and Secret events to
 * the groups they affect, and to fetch only the Secrets someone references.
 */
export interface IngressReferences {
  readonly services: readonly string[];
  readonly secrets: readonly string[];
}

/** Collects every string value of `field` anywhere inside a JSON value. */
function collect(value: unknown, field: string, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, field, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === field && typeof v === 'string' && v !== '') into.add(v);
      else collect(v, field, into);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Translation reports the bad annotation; here it simply references nothing.
    return undefined;
  }
}

export function ingressReferences(ing: Ingress, annotationPrefix: string): IngressReferences {
  const ns = ing.metadata.namespace;
  const services = new Set<string>();
  const secrets = new Set<string>();
  const backend = (b: IngressBackend | undefined) => {
    if (b?.kind === 'service') services.add(b.service.name);
  };
  backend(ing.spec.defaultBackend);
  for (const rule of ing.spec.rules) for (const p of rule.paths) backend(p.backend);
  for (const t of ing.spec.tls) if (t.secretName !== undefined) secrets.add(t.secretName);
  for (const [key, value] of Object.entries(ing.metadata.annotations)) {
    if (!key.startsWith(annotationPrefix)) continue;
    const suffix = key.slice(annotationPrefix.length);
    if (suffix.startsWith('actions.')) collect(parseJson(value), 'serviceName', services);
    if (suffix === 'auth-idp-oidc') collect(parseJson(value), 'secretName', secrets);
  }
  return {
    services: [...services].sort().map((n) => `${ns}/${n}`),
    secrets: [...secrets].sort().map((n) => `${ns}/${n}`),
  };
}
