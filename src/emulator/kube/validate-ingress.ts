import type { JsonObject } from './json.ts';
import { arrayAt, isObject, objectAt } from './json.ts';
import type { StatusCause } from './status.ts';
import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired } from './status.ts';
import type { ValidateContext } from './registry.ts';
import { dns1035Label, dns1123Subdomain, ianaServiceName, isIp, wildcardDns1123Subdomain } from './validate-names.ts';

/** The annotation that predates `spec.ingressClassName`; both at once are refused on create. */
export const legacyClassAnnotation = 'kubernetes.io/ingress.class';
const pathTypes = ['Exact', 'Prefix', 'ImplementationSpecific'];
// Prefix and Exact paths must be clean: the real server refuses these sequences in them.
const forbiddenPathParts = ['//', '/./', '/../', '%2f', '%2F'];
const forbiddenPathSuffixes = ['/..', '/.'];

function host(value: unknown, field: string, causes: StatusCause[]): void {
  if (typeof value !== 'string') {
    causes.push(fieldInvalid(field, value, 'must be a string'));
    return;
  }
  if (isIp(value)) {
    causes.push(fieldInvalid(field, value, 'must be a DNS name, not an IP address'));
    return;
  }
  const problems = value.startsWith('*') ? wildcardDns1123Subdomain(value) : dns1123Subdomain(value);
  for (const why of problems) causes.push(fieldInvalid(field, value, why));
}

function backend(b: unknown, field: string, causes: StatusCause[]): void {
  if (!isObject(b)) {
    causes.push(fieldRequired(field));
    return;
  }
  const service = b['service'];
  const resource = b['resource'];
  if (service !== undefined && resource !== undefined) {
    causes.push(fieldInvalid(field, '', 'cannot set both resource and service backends'));
    return;
  }
  if (isObject(resource)) {
    if (typeof resource['kind'] !== 'string' || resource['kind'] === '') {
      causes.push(fieldRequired(`${field}.resource.kind`));
    }
    if (typeof resource['name'] !== 'string' || resource['name'] === '') {
      causes.push(fieldRequired(`${field}.resource.name`));
    }
    return;
  }
  if (!isObject(service)) {
    causes.push(fieldInvalid(field, '', 'resource or service backend is required'));
    return;
  }
  const name = service['name'];
  if (typeof name !== 'string' || name === '') causes.push(fieldRequired(`${field}.service.name`));
  else for (const why of dns1035Label(name)) causes.push(fieldInvalid(`${field}.service.name`, name, why));
  const port = service['port'];
  if (!isObject(port)) {
    causes.push(fieldRequired(`${field}.service.port`));
    return;
  }
  const hasName = typeof port['name'] === 'string' && port['name'] !== '';
  const hasNumber = port['number'] !== undefined && port['number'] !== 0;
  if (hasName && hasNumber) {
    causes.push(fieldInvalid(`${field}.service.port`, port, 'cannot set both port name & port number'));
  } else if (hasName) {
    for (const why of ianaServiceName(String(port['name']))) {
      causes.push(fieldInvalid(`${field}.service.port.name`, port['name'], why));
    }
  } else if (hasNumber) {
    const n = port['number'];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
      causes.push(fieldInvalid(`${field}.service.port.number`, n, 'must be between 1 and 65535, inclusive'));
    }
  } else {
    causes.push(fieldInvalid(`${field}.service.port`, port, 'port name or number is required'));
  }
}

function httpPath(p: unknown, field: string, causes: StatusCause[]): void {
  if (!isObject(p)) {
    causes.push(fieldRequired(field));
    return;
  }
  const pathType = p['pathType'];
  const path = p['path'];
  if (pathType === undefined || pathType === null || pathType === '') {
    causes.push(fieldRequired(`${field}.pathType`, 'pathType must be specified'));
  } else if (typeof pathType !== 'string' || !pathTypes.includes(pathType)) {
    causes.push(fieldNotSupported(`${field}.pathType`, pathType, pathTypes));
  }
  if (path !== undefined && typeof path !== 'string') {
    causes.push(fieldInvalid(`${field}.path`, path, 'must be a string'));
  } else if (pathType === 'Exact' || pathType === 'Prefix') {
    const value = path ?? '';
    if (!value.startsWith('/')) causes.push(fieldInvalid(`${field}.path`, value, 'must be an absolute path'));
    else {
      for (const bad of forbiddenPathParts) {
        if (value.includes(bad)) causes.push(fieldInvalid(`${field}.path`, value, `must not contain '${bad}'`));
      }
      for (const bad of forbiddenPathSuffixes) {
        if (value.endsWith(bad)) causes.push(fieldInvalid(`${field}.path`, value, `cannot end with '${bad}'`));
      }
    }
  } else if (
    pathType === 'ImplementationSpecific' &&
    typeof path === 'string' &&
    path !== '' &&
    !path.startsWith('/')
  ) {
    causes.push(fieldInvalid(`${field}.path`, path, 'must be an absolute path'));
  }
  backend(p['backend'], `${field}.backend`, causes);
}

/**
 * networking.k8s.io/v1 Ingress validation as the real API server applies it: at least one of
 * defaultBackend or rules; hosts are DNS names (one leading wildcard label allowed), not IPs;
 * every path has a pathType and, for Exact/Prefix, an absolute clean path; each backend is
 * exactly one of service (name + port name or number) or resource; TLS hosts are DNS names.
 */
export function validateIngress(obj: JsonObject, ctx: ValidateContext): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = objectAt(obj, 'spec');
  const rules = arrayAt(spec, 'rules');
  if (spec['defaultBackend'] === undefined && rules.length === 0) {
    causes.push(fieldInvalid('spec', spec, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec['defaultBackend'] !== undefined) backend(spec['defaultBackend'], 'spec.defaultBackend', causes);
  const className = spec['ingressClassName'];
  if (className !== undefined && className !== null) {
    if (typeof className !== 'string')
      causes.push(fieldInvalid('spec.ingressClassName', className, 'must be a string'));
    else
      for (const why of dns1123Subdomain(className)) causes.push(fieldInvalid('spec.ingressClassName', className, why));
    const annotations = objectAt(objectAt(obj, 'metadata'), 'annotations');
    if (ctx.operation === 'create' && annotations[legacyClassAnnotation] !== undefined) {
      causes.push(
        fieldInvalid(
          `metadata.annotations.${legacyClassAnnotation}`,
          annotations[legacyClassAnnotation],
          'can not be set when the class field is also set',
        ),
      );
    }
  }
  rules.forEach((rule, i) => {
    const field = `spec.rules[${i}]`;
    if (!isObject(rule)) {
      causes.push(fieldInvalid(field, rule, 'must be an object'));
      return;
    }
    if (rule['host'] !== undefined && rule['host'] !== '') host(rule['host'], `${field}.host`, causes);
    const http = rule['http'];
    if (http === undefined || http === null) return;
    const paths = arrayAt(http, 'paths');
    if (paths.length === 0) causes.push(fieldRequired(`${field}.http.paths`));
    paths.forEach((p, j) => httpPath(p, `${field}.http.paths[${j}]`, causes));
  });
  arrayAt(spec, 'tls').forEach((tls, i) => {
    arrayAt(tls, 'hosts').forEach((h, j) => host(h, `spec.tls[${i}].hosts[${j}]`, causes));
    const secret = isObject(tls) ? tls['secretName'] : undefined;
    if (typeof secret === 'string' && secret !== '') {
      for (const why of dns1123Subdomain(secret)) causes.push(fieldInvalid(`spec.tls[${i}].secretName`, secret, why));
    }
  });
  return causes;
}

/** Ingress status: load-balancer entries carry a valid IP and a hostname that is not an IP. */
export function validateIngressStatus(obj: JsonObject): StatusCause[] {
  const causes: StatusCause[] = [];
  arrayAt(objectAt(objectAt(obj, 'status'), 'loadBalancer'), 'ingress').forEach((entry, i) => {
    const field = `status.loadBalancer.ingress[${i}]`;
    const ip = isObject(entry) ? entry['ip'] : undefined;
    const hostname = isObject(entry) ? entry['hostname'] : undefined;
    if (ip !== undefined && ip !== '' && (typeof ip !== 'string' || !isIp(ip))) {
      causes.push(fieldInvalid(`${field}.ip`, ip, 'must be a valid IP address'));
    }
    if (typeof hostname === 'string' && hostname !== '') {
      if (isIp(hostname))
        causes.push(fieldInvalid(`${field}.hostname`, hostname, 'must be a DNS name, not an IP address'));
      else for (const why of dns1123Subdomain(hostname)) causes.push(fieldInvalid(`${field}.hostname`, hostname, why));
    }
  });
  return causes;
}

/**
 * IngressClass: `spec.controller` is required, a domain-prefixed path of at most 250 characters,
 * and immutable; `spec.parameters` needs kind and name, and a namespace exactly when its scope is
 * Namespace.
 */
export function validateIngressClass(obj: JsonObject, ctx: ValidateContext): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = objectAt(obj, 'spec');
  const controller = spec['controller'];
  if (typeof controller !== 'string' || controller === '') {
    causes.push(fieldRequired('spec.controller'));
  } else {
    if (controller.length > 250) {
      causes.push({
        reason: 'FieldValueTooLong',
        field: 'spec.controller',
        message: 'Too long: may not be more than 250 bytes',
      });
    }
    const slash = controller.indexOf('/');
    if (slash <= 0 || dns1123Subdomain(controller.slice(0, slash)).length > 0 || slash === controller.length - 1) {
      causes.push(
        fieldInvalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'),
      );
    }
  }
  if (ctx.operation === 'update' && ctx.old !== undefined) {
    const before = objectAt(ctx.old, 'spec')['controller'];
    if (before !== controller) causes.push(fieldInvalid('spec.controller', controller, 'field is immutable'));
  }
  const params = spec['parameters'];
  if (params !== undefined && params !== null) {
    if (!isObject(params)) causes.push(fieldInvalid('spec.parameters', params, 'must be an object'));
    else {
      if (typeof params['kind'] !== 'string' || params['kind'] === '')
        causes.push(fieldRequired('spec.parameters.kind'));
      if (typeof params['name'] !== 'string' || params['name'] === '')
        causes.push(fieldRequired('spec.parameters.name'));
      const scope = params['scope'] ?? 'Cluster';
      if (scope !== 'Cluster' && scope !== 'Namespace') {
        causes.push(fieldNotSupported('spec.parameters.scope', scope, ['Cluster', 'Namespace']));
      } else if (scope === 'Namespace' && (typeof params['namespace'] !== 'string' || params['namespace'] === '')) {
        causes.push(fieldRequired('spec.parameters.namespace', '`parameters.scope` is set to "Namespace"'));
      } else if (scope === 'Cluster' && params['namespace'] !== undefined) {
        causes.push(fieldForbidden('spec.parameters.namespace', '`parameters.scope` is set to "Cluster"'));
      }
    }
  }
  return causes;
}
