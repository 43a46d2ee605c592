import type { Condition, FixedResponseAction, QueryStringPair, RedirectAction, Transform } from '../model/stack.ts';
import { parseCidr } from '../model/match.ts';
import { isJsonObject, jsonMember } from './annotations.ts';
import type { ServiceBackendPort } from './types.ts';

/**
 * The JSON of `actions.*`, `conditions.*` and `transforms.*` annotations, in the AWS Load Balancer
 * Controller's shapes (keys matched case-insensitively). Each parser returns a value or a message
 * saying exactly which part is wrong; the caller names the annotation.
 */

export interface ServiceTarget {
  readonly service: string;
  readonly port: ServiceBackendPort;
  readonly weight: number;
}

/** An `actions.*` action before its Services are resolved to target groups. */
export type ParsedAction =
  | FixedResponseAction
  | RedirectAction
  | {
      readonly type: 'forward';
      readonly services: readonly ServiceTarget[];
      /** ARNs or names of target groups Portico does not manage (not supported yet). */
      readonly external: readonly string[];
      readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
    };

type Parsed<T> = { readonly value: T } | { readonly error: string };

const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

function str(o: unknown, key: string): string | undefined {
  const v = jsonMember(o, key);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function fixedResponse(cfg: unknown): Parsed<FixedResponseAction> {
  const statusCode = str(cfg, 'statusCode');
  if (statusCode === undefined || !/^[245]\d\d$/.test(statusCode)) {
    return {
      error: `fixedResponseConfig.statusCode must be a 2xx, 4xx or 5xx code, got ${JSON.stringify(statusCode ?? null)}`,
    };
  }
  const contentType = str(cfg, 'contentType');
  if (contentType !== undefined && !CONTENT_TYPES.includes(contentType)) {
    return { error: `fixedResponseConfig.contentType must be one of ${CONTENT_TYPES.join(', ')}` };
  }
  const messageBody = str(cfg, 'messageBody');
  if (messageBody !== undefined && messageBody.length > 1024) {
    return { error: 'fixedResponseConfig.messageBody must be at most 1024 characters' };
  }
  return {
    value: {
      type: 'fixed-response',
      statusCode,
      ...(contentType === undefined ? {} : { contentType }),
      ...(messageBody === undefined ? {} : { messageBody }),
    },
  };
}

function redirect(cfg: unknown): Parsed<RedirectAction> {
  const statusCode = str(cfg, 'statusCode');
  if (statusCode !== 'HTTP_301' && statusCode !== 'HTTP_302') {
    return {
      error: `redirectConfig.statusCode must be HTTP_301 or HTTP_302, got ${JSON.stringify(statusCode ?? null)}`,
    };
  }
  const protocol = str(cfg, 'protocol');
  if (protocol !== undefined && !/^(HTTPS?|#\{protocol\})$/.test(protocol)) {
    return { error: `redirectConfig.protocol must be HTTP, HTTPS or #{protocol}, got ${JSON.stringify(protocol)}` };
  }
  const port = str(cfg, 'port');
  if (port !== undefined && port !== '#{port}' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return { error: `redirectConfig.port must be 1-65535 or #{port}, got ${JSON.stringify(port)}` };
  }
  const path = str(cfg, 'path');
  if (path !== undefined && (!path.startsWith('/') || path.length > 128)) {
    return { error: `redirectConfig.path must start with '/' and be at most 128 characters` };
  }
  const host = str(cfg, 'host');
  if (host !== undefined && (host.length < 1 || host.length > 128))
    return { error: 'redirectConfig.host must be 1-128 characters' };
  const query = str(cfg, 'query');
  if (query !== undefined && (query.length > 128 || query.startsWith('?'))) {
    return { error: `redirectConfig.query must be at most 128 characters, without a leading '?'` };
  }
  const value: RedirectAction = {
    type: 'redirect',
    statusCode,
    ...(protocol === undefined ? {} : { protocol }),
    ...(port === undefined ? {} : { port }),
    ...(host === undefined ? {} : { host }),
    ...(path === undefined ? {} : { path }),
    ...(query === undefined ? {} : { query }),
  };
  const changes = ['protocol', 'port', 'host', 'path'].some((k) => {
    const v = value[k as 'protocol' | 'port' | 'host' | 'path'];
    return v !== undefined && !/^\/?#\{(protocol|port|host|path)\}$/.test(v);
  });
  if (!changes)
    return { error: 'redirectConfig must change at least one of protocol, port, host and path (it would loop)' };
  return { value };
}

function forward(o: unknown): Parsed<ParsedAction> {
  const external: string[] = [];
  const arn = str(o, 'targetGroupARN') ?? str(o, 'targetGroupName');
  if (arn !== undefined) external.push(arn);
  const cfg = jsonMember(o, 'forwardConfig');
  const services: ServiceTarget[] = [];
  let stickiness: { enabled: boolean; durationSeconds: number } | undefined;
  if (cfg !== undefined) {
    const groups = jsonMember(cfg, 'targetGroups');
    if (!Array.isArray(groups) || groups.length === 0)
      return { error: 'forwardConfig.targetGroups must be a non-empty list' };
    for (const [i, g] of groups.entries()) {
      const weightRaw = jsonMember(g, 'weight');
      const weight = weightRaw === undefined && groups.length === 1 ? 1 : weightRaw;
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 999) {
        return {
          error: `forwardConfig.targetGroups[${i}].weight must be an integer 0-999 (required with several groups)`,
        };
      }
      const tgArn = str(g, 'targetGroupARN') ?? str(g, 'targetGroupName');
      const service = str(g, 'serviceName');
      const portRaw = jsonMember(g, 'servicePort');
      if (tgArn !== undefined) external.push(tgArn);
      else if (service !== undefined && (typeof portRaw === 'number' || typeof portRaw === 'string')) {
        const port: ServiceBackendPort =
          typeof portRaw === 'number' || /^\d+$/.test(portRaw)
            ? { kind: 'number', number: Number(portRaw) }
            : { kind: 'name', name: portRaw };
        services.push({ service, port, weight });
      } else {
        return {
          error: `forwardConfig.targetGroups[${i}] must set targetGroupARN, targetGroupName, or serviceName and servicePort`,
        };
      }
    }
    const sticky = jsonMember(cfg, 'targetGroupStickinessConfig');
    if (sticky !== undefined) {
      const enabled = jsonMember(sticky, 'enabled');
      const duration = jsonMember(sticky, 'durationSeconds');
      if (typeof enabled !== 'boolean') return { error: 'targetGroupStickinessConfig.enabled must be a boolean' };
      if (
        enabled &&
        (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1 || duration > 604800)
      ) {
        return { error: 'targetGroupStickinessConfig.durationSeconds must be an integer 1-604800' };
      }
      stickiness = { enabled, durationSeconds: typeof duration === 'number' ? duration : 0 };
    }
  }
  if (services.length + external.length === 0)
    return { error: 'a forward action needs targetGroupARN or forwardConfig' };
  if (services.length + external.length > 5) return { error: 'a forward action takes at most 5 target groups' };
  return { value: { type: 'forward', services, external, ...(stickiness === undefined ? {} : { stickiness }) } };
}

/** Parses the JSON of an `actions.*` annotation. */
export function parseAction(json: unknown): Parsed<ParsedAction> {
  if (!isJsonObject(json)) return { error: 'must be a JSON object with a "type"' };
  const type = str(json, 'type');
  switch (type) {
    case 'fixed-response':
      return fixedResponse(jsonMember(json, 'fixedResponseConfig'));
    case 'redirect':
      return redirect(jsonMember(json, 'redirectConfig'));
    case 'forward':
      return forward(json);
    default:
      return { error: `type must be fixed-response, redirect or forward, got ${JSON.stringify(type ?? null)}` };
  }
}

function stringValues(cfg: unknown, key: string, what: string): Parsed<string[]> {
  const v = jsonMember(cfg, key);
  if (v === undefined) return { value: [] };
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length >= 1 && x.length <= 128)) {
    return { error: `${what}.${key} must be a list of strings of 1-128 characters` };
  }
  return { value: v as string[] };
}

function valuesOrRegex(cfg: unknown, what: string): Parsed<{ values: string[]; regexValues?: string[] }> {
  const values = stringValues(cfg, 'values', what);
  const regex = stringValues(cfg, 'regexValues', what);
  if ('error' in values) return values;
  if ('error' in regex) return regex;
  if (values.value.length > 0 && regex.value.length > 0)
    return { error: `${what} must not mix values and regexValues` };
  if (values.value.length + regex.value.length === 0) return { error: `${what} needs values or regexValues` };
  for (const r of regex.value) {
    try {
      new RegExp(r);
    } catch {
      return { error: `${what}.regexValues has an invalid regular expression ${JSON.stringify(r)}` };
    }
  }
  return { value: regex.value.length > 0 ? { values: [], regexValues: regex.value } : { values: values.value } };
}

function condition(c: unknown, i: number): Parsed<Condition> {
  const field = str(c, 'field');
  const at = `[${i}]`;
  switch (field) {
    case 'host-header': {
      const v = valuesOrRegex(jsonMember(c, 'hostHeaderConfig'), `${at}.hostHeaderConfig`);
      return 'error' in v ? v : { value: { field, ...v.value } };
    }
    case 'path-pattern': {
      const v = valuesOrRegex(jsonMember(c, 'pathPatternConfig'), `${at}.pathPatternConfig`);
      return 'error' in v ? v : { value: { field, ...v.value } };
    }
    case 'http-header': {
      const cfg = jsonMember(c, 'httpHeaderConfig');
      const headerName = str(cfg, 'httpHeaderName');
      if (
        headerName === undefined ||
        !/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,40}$/.test(headerName) ||
        headerName.toLowerCase() === 'host'
      ) {
        return {
          error: `${at}.httpHeaderConfig.httpHeaderName must be a header name of 1-40 characters other than Host`,
        };
      }
      const v = valuesOrRegex(cfg, `${at}.httpHeaderConfig`);
      return 'error' in v ? v : { value: { field, headerName, ...v.value } };
    }
    case 'http-request-method': {
      const v = stringValues(jsonMember(c, 'httpRequestMethodConfig'), 'values', `${at}.httpRequestMethodConfig`);
      if ('error' in v) return v;
      if (v.value.length === 0 || !v.value.every((m) => /^[A-Z_-]{1,40}$/.test(m))) {
        return { error: `${at}.httpRequestMethodConfig.values must be method names (A-Z, '-', '_')` };
      }
      return { value: { field, values: v.value } };
    }
    case 'query-string': {
      const raw = jsonMember(jsonMember(c, 'queryStringConfig'), 'values');
      if (!Array.isArray(raw) || raw.length === 0)
        return { error: `${at}.queryStringConfig.values must be a non-empty list` };
      const values: QueryStringPair[] = [];
      for (const p of raw) {
        const key = str(p, 'key');
        const value = str(p, 'value');
        if (value === undefined || value === '') return { error: `${at}.queryStringConfig.values[].value is required` };
        values.push(key === undefined ? { value } : { key, value });
      }
      return { value: { field, values } };
    }
    case 'source-ip': {
      const v = stringValues(jsonMember(c, 'sourceIpConfig'), 'values', `${at}.sourceIpConfig`);
      if ('error' in v) return v;
      const bad = v.value.find((cidr) => parseCidr(cidr) === undefined || cidr === '255.255.255.255/32');
      if (v.value.length === 0 || bad !== undefined) {
        return {
          error: `${at}.sourceIpConfig.values must be CIDR blocks${bad === undefined ? '' : `, got ${JSON.stringify(bad)}`}`,
        };
      }
      return { value: { field, values: v.value } };
    }
    default:
      return {
        error: `${at}.field must be host-header, path-pattern, http-header, http-request-method, query-string or source-ip, got ${JSON.stringify(field ?? null)}`,
      };
  }
}

/** Parses the JSON list of a `conditions.*` annotation. */
export function parseConditions(json: unknown): Parsed<Condition[]> {
  if (!Array.isArray(json)) return { error: 'must be a JSON list of conditions' };
  const out: Condition[] = [];
  for (const [i, c] of json.entries()) {
    const parsed = condition(c, i);
    if ('error' in parsed) return parsed;
    out.push(parsed.value);
  }
  return { value: out };
}

/** Parses the JSON list of a `transforms.*` annotation. */
export function parseTransforms(json: unknown): Parsed<Transform[]> {
  if (!Array.isArray(json)) return { error: 'must be a JSON list of transforms' };
  const out: Transform[] = [];
  for (const [i, t] of json.entries()) {
    const type = str(t, 'type');
    if (type !== 'url-rewrite' && type !== 'host-header-rewrite') {
      return { error: `[${i}].type must be url-rewrite or host-header-rewrite, got ${JSON.stringify(type ?? null)}` };
    }
    const cfgKey = type === 'url-rewrite' ? 'urlRewriteConfig' : 'hostHeaderRewriteConfig';
    const rewrites = jsonMember(jsonMember(t, cfgKey), 'rewrites');
    if (!Array.isArray(rewrites) || rewrites.length !== 1)
      return { error: `[${i}].${cfgKey}.rewrites must hold exactly one rewrite` };
    const regex = str(rewrites[0], 'regex');
    const replace = str(rewrites[0], 'replace');
    if (regex === undefined || replace === undefined)
      return { error: `[${i}].${cfgKey}.rewrites[0] must set regex and replace` };
    try {
      new RegExp(regex);
    } catch {
      return { error: `[${i}].${cfgKey}.rewrites[0].regex is not a valid regular expression` };
    }
    out.push({ type, rewrites: [{ regex, replace }] });
  }
  return { value: out };
}
