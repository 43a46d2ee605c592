import { validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';

/**
 * Attribute keys, defaults and value checks for ALBs, their listeners and target groups
 * (reference/elbv2.md §2.2–§2.3, §2.7). Keys outside these tables are rejected, as AWS does.
 */

type Check = (value: string) => boolean;

const bool: Check = (v) => v === 'true' || v === 'false';
const any: Check = () => true;
const range =
  (min: number, max: number): Check =>
  (v) =>
    /^\d{1,9}$/.test(v) && Number(v) >= min && Number(v) <= max;
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    values.includes(v);

interface AttributeTable {
  readonly defaults: ReadonlyMap<string, string>;
  readonly checks: ReadonlyMap<string, Check>;
}

function table(rows: ReadonlyArray<readonly [string, string, Check]>): AttributeTable {
  return {
    defaults: new Map(rows.map(([k, v]) => [k, v])),
    checks: new Map(rows.map(([k, , c]) => [k, c])),
  };
}

export const LOAD_BALANCER_ATTRIBUTES = table([
  ['access_logs.s3.enabled', 'false', bool],
  ['access_logs.s3.bucket', '', any],
  ['access_logs.s3.prefix', '', any],
  ['client_keep_alive.seconds', '3600', range(60, 604800)],
  ['connection_logs.s3.enabled', 'false', bool],
  ['connection_logs.s3.bucket', '', any],
  ['connection_logs.s3.prefix', '', any],
  ['deletion_protection.enabled', 'false', bool],
  ['idle_timeout.timeout_seconds', '60', range(1, 4000)],
  ['load_balancing.cross_zone.enabled', 'true', oneOf('true')],
  ['routing.http.desync_mitigation_mode', 'defensive', oneOf('monitor', 'defensive', 'strictest')],
  ['routing.http.drop_invalid_header_fields.enabled', 'false', bool],
  ['routing.http.preserve_host_header.enabled', 'false', bool],
  ['routing.http.x_amzn_tls_version_and_cipher_suite.enabled', 'false', bool],
  ['routing.http.xff_client_port.enabled', 'false', bool],
  ['routing.http.xff_header_processing.mode', 'append', oneOf('append', 'preserve', 'remove')],
  ['routing.http2.enabled', 'true', bool],
  ['waf.fail_open.enabled', 'false', bool],
  ['zonal_shift.config.enabled', 'false', bool],
]);

export const TARGET_GROUP_ATTRIBUTES = table([
  ['deregistration_delay.timeout_seconds', '300', range(0, 3600)],
  ['stickiness.enabled', 'false', bool],
  ['stickiness.type', 'lb_cookie', oneOf('lb_cookie', 'app_cookie')],
  ['stickiness.lb_cookie.duration_seconds', '86400', range(1, 604800)],
  ['stickiness.app_cookie.cookie_name', '', (v) => !/^AWSALB/.test(v)],
  ['stickiness.app_cookie.duration_seconds', '86400', range(1, 604800)],
  ['slow_start.duration_seconds', '0', (v) => v === '0' || range(30, 900)(v)],
  [
    'load_balancing.algorithm.type',
    'round_robin',
    oneOf('round_robin', 'least_outstanding_requests', 'weighted_random'),
  ],
  ['load_balancing.algorithm.anomaly_mitigation', 'off', oneOf('on', 'off')],
  [
    'load_balancing.cross_zone.enabled',
    'use_load_balancer_configuration',
    oneOf('true', 'false', 'use_load_balancer_configuration'),
  ],
  ['target_group_health.dns_failover.minimum_healthy_targets.count', '1', (v) => v === 'off' || range(1, 1000)(v)],
  [
    'target_group_health.dns_failover.minimum_healthy_targets.percentage',
    'off',
    (v) => v === 'off' || range(1, 100)(v),
  ],
  ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.count', '1', range(1, 1000)],
  [
    'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
    'off',
    (v) => v === 'off' || range(1, 100)(v),
  ],
]);

export const LISTENER_ATTRIBUTES = table([
  ['routing.http.response.server.enabled', 'true', bool],
  ['routing.http.response.strict_transport_security.header_value', '', any],
  ['routing.http.response.access_control_allow_origin.header_value', '', any],
  ['routing.http.response.access_control_allow_methods.header_value', '', any],
  ['routing.http.response.access_control_allow_headers.header_value', '', any],
  ['routing.http.response.access_control_allow_credentials.header_value', '', any],
  ['routing.http.response.access_control_expose_headers.header_value', '', any],
  ['routing.http.response.access_control_max_age.header_value', '', any],
  ['routing.http.response.content_security_policy.header_value', '', any],
  ['routing.http.response.x_content_type_options.header_value', '', any],
  ['routing.http.response.x_frame_options.header_value', '', any],
  ['routing.http.request.x_amzn_mtls_clientcert.header_name', 'X-Amzn-Mtls-Clientcert', any],
  ['routing.http.request.x_amzn_tls_version.header_name', 'X-Amzn-Tls-Version', any],
  ['routing.http.request.x_amzn_tls_cipher_suite.header_name', 'X-Amzn-Tls-Cipher-Suite', any],
]);

/** Reads `Attributes` and validates every key and value against the table, before anything changes. */
export function readAttributes(input: QueryInput, t: AttributeTable, max?: number): Array<readonly [string, string]> {
  const list = input.list('Attributes');
  if (list === undefined || list.length === 0)
    throw validationError(
      "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null",
    );
  if (max !== undefined && list.length > max)
    throw validationError(`You can modify at most ${max} attributes at a time`);
  return list.map((entry) => {
    const key = entry.requiredString('Key');
    const value = entry.string('Value') ?? '';
    const check = t.checks.get(key);
    if (check === undefined) throw validationError(`Attribute key '${key}' is not recognized`);
    if (value.length > 1024 || !check(value))
      throw validationError(`Attribute '${key}' has an invalid value '${value}'`);
    return [key, value] as const;
  });
}

export function attributeList(attributes: ReadonlyMap<string, string>): Array<{ Key: string; Value: string }> {
  return [...attributes].map(([Key, Value]) => ({ Key, Value }));
}
