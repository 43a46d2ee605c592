import type { Attribute } from '../model/stack.ts';
import { sortAttributes } from './plan-normal.ts';

/**
 * Attributes as desired state: a key the desired stack sets must hold its value, and a key it no
 * longer sets goes back to the AWS default. AWS reports every attribute (defaults included), so a
 * reported value that differs from the default and is not desired is a leftover of an earlier
 * stack (or of a hand edit) and is reset. Keys without a known default are left as they are: there
 * is nothing safe to reset them to.
 *
 * Defaults from reference/elbv2.md §2.2, §2.3 and §2.7 (ALB load balancers, listeners, target groups).
 */

export type AttributeDefaults = ReadonlyMap<string, string>;

/** Application load balancer attributes (`ipv6.deny_all_igw_traffic` depends on the scheme: not reset). */
export const LOAD_BALANCER_DEFAULTS: AttributeDefaults = new Map([
  ['access_logs.s3.enabled', 'false'],
  ['access_logs.s3.bucket', ''],
  ['access_logs.s3.prefix', ''],
  ['client_keep_alive.seconds', '3600'],
  ['connection_logs.s3.enabled', 'false'],
  ['connection_logs.s3.bucket', ''],
  ['connection_logs.s3.prefix', ''],
  ['health_check_logs.s3.enabled', 'false'],
  ['health_check_logs.s3.bucket', ''],
  ['health_check_logs.s3.prefix', ''],
  ['deletion_protection.enabled', 'false'],
  ['idle_timeout.timeout_seconds', '60'],
  ['routing.http.desync_mitigation_mode', 'defensive'],
  ['routing.http.drop_invalid_header_fields.enabled', 'false'],
  ['routing.http.preserve_host_header.enabled', 'false'],
  ['routing.http.x_amzn_tls_version_and_cipher_suite.enabled', 'false'],
  ['routing.http.xff_client_port.enabled', 'false'],
  ['routing.http.xff_header_processing.mode', 'append'],
  ['routing.http2.enabled', 'true'],
  ['waf.fail_open.enabled', 'false'],
  ['zonal_shift.config.enabled', 'false'],
]);

/** ALB listener attributes: response headers off (empty), the server header on, default mTLS/TLS header names. */
export const LISTENER_DEFAULTS: AttributeDefaults = new Map([
  ['routing.http.response.server.enabled', 'true'],
  ['routing.http.response.strict_transport_security.header_value', ''],
  ['routing.http.response.access_control_allow_origin.header_value', ''],
  ['routing.http.response.access_control_allow_methods.header_value', ''],
  ['routing.http.response.access_control_allow_headers.header_value', ''],
  ['routing.http.response.access_control_allow_credentials.header_value', ''],
  ['routing.http.response.access_control_expose_headers.header_value', ''],
  ['routing.http.response.access_control_max_age.header_value', ''],
  ['routing.http.response.content_security_policy.header_value', ''],
  ['routing.http.response.x_content_type_options.header_value', ''],
  ['routing.http.response.x_frame_options.header_value', ''],
  ['routing.http.request.x_amzn_mtls_clientcert.header_name', 'X-Amzn-Mtls-Clientcert'],
  ['routing.http.request.x_amzn_tls_version.header_name', 'X-Amzn-Tls-Version'],
  ['routing.http.request.x_amzn_tls_cipher_suite.header_name', 'X-Amzn-Tls-Cipher-Suite'],
]);

/** Target-group attributes of an HTTP/HTTPS group with instance or ip targets. */
export const TARGET_GROUP_DEFAULTS: AttributeDefaults = new Map([
  ['deregistration_delay.timeout_seconds', '300'],
  ['stickiness.enabled', 'false'],
  ['stickiness.type', 'lb_cookie'],
  ['stickiness.lb_cookie.duration_seconds', '86400'],
  ['stickiness.app_cookie.duration_seconds', '86400'],
  ['slow_start.duration_seconds', '0'],
  ['load_balancing.algorithm.type', 'round_robin'],
  ['load_balancing.algorithm.anomaly_mitigation', 'off'],
  ['load_balancing.cross_zone.enabled', 'use_load_balancer_configuration'],
  ['target_group_health.dns_failover.minimum_healthy_targets.count', '1'],
  ['target_group_health.dns_failover.minimum_healthy_targets.percentage', 'off'],
  ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.count', '1'],
  ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', 'off'],
]);

/**
 * The attributes to send so that `actual` becomes `desired`: every desired attribute, plus each
 * leftover key reset to its default; `undefined` when nothing differs. Desired keys come first in
 * the sort so a reset never overrides what is wanted.
 */
export function attributeUpdate(
  desired: readonly Attribute[],
  actual: readonly Attribute[],
  defaults: AttributeDefaults,
): Attribute[] | undefined {
  const have = new Map(actual.map((a) => [a.key, a.value]));
  const wanted = new Map(desired.map((a) => [a.key, a.value]));
  const differs = desired.some((a) => have.get(a.key) !== a.value);
  const resets: Attribute[] = [];
  for (const [key, value] of have) {
    if (wanted.has(key)) continue;
    const def = defaults.get(key);
    if (def !== undefined && def !== value) resets.push({ key, value: def });
  }
  if (!differs && resets.length === 0) return undefined;
  return sortAttributes([...desired, ...resets]);
}
