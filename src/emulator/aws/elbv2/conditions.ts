import { constraintError, validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import { checkEnum } from './common.ts';
import type { AwsRuleCondition, AwsRuleTransform, AwsValuesConfig } from './shapes.ts';

/**
 * Reads and validates rule conditions and transforms (reference/elbv2.md §2.5, §4.2). Host-header
 * and path-pattern conditions are echoed in both forms, legacy `Values` and the `*Config`, as AWS does.
 */

const FIELDS = [
  'host-header',
  'path-pattern',
  'http-header',
  'http-request-method',
  'query-string',
  'source-ip',
] as const;
const ONCE_PER_RULE = new Set(['host-header', 'path-pattern', 'http-request-method', 'source-ip']);
const HOST = /^[A-Za-z0-9\-.*?]+$/;
const PATH = /^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD = /^[A-Z_-]+$/;

export function readConditions(list: readonly QueryInput[] | undefined, valueLimit: number): AwsRuleCondition[] {
  if (list === undefined || list.length === 0) {
    throw constraintError('Conditions', undefined, 'Member must not be null or empty');
  }
  const seen = new Set<string>();
  const conditions = list.map((entry) => {
    const condition = readCondition(entry);
    if (ONCE_PER_RULE.has(condition.Field)) {
      if (seen.has(condition.Field)) {
        throw validationError(`A rule can only have one '${condition.Field}' condition`);
      }
      seen.add(condition.Field);
    }
    return condition;
  });
  const values = conditions.reduce((n, c) => n + valueCount(c), 0);
  if (values > valueLimit) throw validationError(`A rule can only have '${valueLimit}' condition values`);
  const wildcards = conditions.reduce((n, c) => n + wildcardCount(c), 0);
  if (wildcards > valueLimit) throw validationError(`A rule can only have '${valueLimit}' wildcards`);
  return conditions;
}

function readCondition(entry: QueryInput): AwsRuleCondition {
  const field = checkEnum(`${entry.path}.Field`, entry.requiredString('Field'), FIELDS);
  const legacy = entry.stringList('Values');
  switch (field) {
    case 'host-header': {
      const config = readValuesConfig(entry, 'HostHeaderConfig', legacy, field);
      config.Values.forEach((v) => checkHost(v));
      return { Field: field, Values: config.Values, HostHeaderConfig: config };
    }
    case 'path-pattern': {
      const config = readValuesConfig(entry, 'PathPatternConfig', legacy, field);
      config.Values.forEach((v) => checkPath(v));
      return { Field: field, Values: config.Values, PathPatternConfig: config };
    }
    case 'http-header': {
      const c = requireConfig(entry, 'HttpHeaderConfig');
      const name = c.requiredString('HttpHeaderName');
      if (name.length > 40 || !TOKEN.test(name)) {
        throw validationError(`The HTTP header name '${name}' is not valid: use up to 40 token characters`);
      }
      if (name.toLowerCase() === 'host')
        throw validationError(`Use a 'host-header' condition to match the Host header`);
      const values = requireValues(c, 'Values');
      return {
        Field: field,
        HttpHeaderConfig: { HttpHeaderName: name, Values: values, RegexValues: c.stringList('RegexValues') },
      };
    }
    case 'http-request-method': {
      const values = requireValues(requireConfig(entry, 'HttpRequestMethodConfig'), 'Values');
      for (const v of values) {
        if (v.length > 40 || !METHOD.test(v)) throw validationError(`The HTTP request method '${v}' is not valid`);
      }
      return { Field: field, HttpRequestMethodConfig: { Values: values } };
    }
    case 'query-string': {
      const c = requireConfig(entry, 'QueryStringConfig');
      const pairs = (c.list('Values') ?? []).map((p) => ({ Key: p.string('Key'), Value: p.requiredString('Value') }));
      if (pairs.length === 0) throw constraintError(`${c.path}.Values`, undefined, 'Member must not be null or empty');
      for (const p of pairs) {
        if (p.Value.length > 128 || (p.Key ?? '').length > 128)
          throw validationError('Query string keys and values are limited to 128 characters');
      }
      return { Field: field, QueryStringConfig: { Values: pairs } };
    }
    case 'source-ip': {
      const values = requireValues(requireConfig(entry, 'SourceIpConfig'), 'Values');
      values.forEach(checkCidr);
      return { Field: field, SourceIpConfig: { Values: values } };
    }
  }
}

function readValuesConfig(
  entry: QueryInput,
  member: string,
  legacy: string[] | undefined,
  field: string,
): AwsValuesConfig {
  const c = entry.struct(member);
  if (c !== undefined && legacy !== undefined && legacy.length > 0) {
    throw validationError(`You cannot provide both Values and '${member}' for a condition of type '${field}'`);
  }
  if (c === undefined) {
    if (legacy === undefined || legacy.length === 0) {
      throw validationError(`A condition of type '${field}' needs Values or ${member}`);
    }
    legacy.forEach((v) => checkLength(v, `${entry.path}.Values`));
    return { Values: legacy };
  }
  const regex = c.stringList('RegexValues');
  const values = c.stringList('Values') ?? [];
  if (values.length === 0 && (regex === undefined || regex.length === 0)) {
    throw constraintError(`${c.path}.Values`, undefined, 'Member must not be null or empty');
  }
  values.forEach((v) => checkLength(v, `${c.path}.Values`));
  return regex === undefined ? { Values: values } : { Values: values, RegexValues: regex };
}

function requireConfig(entry: QueryInput, member: string): QueryInput {
  const c = entry.struct(member);
  if (c === undefined) throw constraintError(`${entry.path}.${member}`, undefined, 'Member must not be null');
  return c;
}

function requireValues(c: QueryInput, member: string): string[] {
  const values = c.stringList(member) ?? [];
  if (values.length === 0) throw constraintError(`${c.path}.${member}`, undefined, 'Member must not be null or empty');
  values.forEach((v) => checkLength(v, `${c.path}.${member}`));
  return values;
}

function checkLength(value: string, field: string): void {
  if (value.length === 0 || value.length > 128) {
    throw constraintError(field, value, 'Member must have length between 1 and 128');
  }
}

function checkHost(value: string): void {
  const last = value.slice(value.lastIndexOf('.') + 1);
  if (!HOST.test(value) || !value.includes('.') || !/^[A-Za-z*?]+$/.test(last)) {
    throw validationError(
      `The host header value '${value}' is not valid: use A-Z, a-z, 0-9, '-', '.', '*', '?', at least one '.', and only letters after the last '.'`,
    );
  }
}

function checkPath(value: string): void {
  if (!PATH.test(value)) throw validationError(`The path pattern '${value}' contains characters that are not allowed`);
}

function checkCidr(value: string): void {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const okV4 = v4 !== null && v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const okV6 = /^[0-9a-fA-F:]+\/\d{1,3}$/.test(value) && value.includes(':') && Number(value.split('/')[1]) <= 128;
  if (!(okV4 || okV6) || value === '255.255.255.255/32') {
    throw validationError(`The source IP '${value}' is not a valid CIDR block`);
  }
}

function valueCount(c: AwsRuleCondition): number {
  const config = c.HostHeaderConfig ?? c.PathPatternConfig ?? c.HttpHeaderConfig;
  if (config !== undefined) return config.Values.length + (config.RegexValues?.length ?? 0);
  return (
    (c.QueryStringConfig?.Values.length ?? 0) +
    (c.HttpRequestMethodConfig?.Values.length ?? 0) +
    (c.SourceIpConfig?.Values.length ?? 0)
  );
}

function wildcardCount(c: AwsRuleCondition): number {
  const count = (s: string | undefined) => (s ?? '').split('').filter((ch) => ch === '*' || ch === '?').length;
  const config = c.HostHeaderConfig ?? c.PathPatternConfig ?? c.HttpHeaderConfig;
  if (config !== undefined) return config.Values.reduce((n, v) => n + count(v), 0);
  return (c.QueryStringConfig?.Values ?? []).reduce((n, p) => n + count(p.Key) + count(p.Value), 0);
}

export function readTransforms(list: readonly QueryInput[] | undefined): AwsRuleTransform[] | undefined {
  if (list === undefined) return undefined;
  const seen = new Set<string>();
  return list.map((entry) => {
    const type = checkEnum(`${entry.path}.Type`, entry.requiredString('Type'), [
      'host-header-rewrite',
      'url-rewrite',
    ] as const);
    if (seen.has(type)) throw validationError(`A rule can only have one '${type}' transform`);
    seen.add(type);
    const member = type === 'host-header-rewrite' ? 'HostHeaderRewriteConfig' : 'UrlRewriteConfig';
    const config = entry.struct(member);
    const rewrites = (config?.list('Rewrites') ?? []).map((r) => ({
      Regex: r.requiredString('Regex'),
      Replace: r.string('Replace') ?? '',
    }));
    if (rewrites.length !== 1)
      throw validationError(`A '${type}' transform needs exactly one rewrite in ${member}.Rewrites`);
    for (const r of rewrites) {
      if (r.Regex.length > 1024 || r.Replace.length > 1024)
        throw validationError('Rewrite regex and replace are limited to 1024 characters');
      try {
        new RegExp(r.Regex);
      } catch {
        throw validationError(`The rewrite regex '${r.Regex}' is not valid`);
      }
    }
    return type === 'host-header-rewrite'
      ? { Type: type, HostHeaderRewriteConfig: { Rewrites: rewrites } }
      : { Type: type, UrlRewriteConfig: { Rewrites: rewrites } };
  });
}
