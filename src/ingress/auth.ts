import type { AuthenticateAction, OnUnauthenticatedRequest } from '../model/stack.ts';
import { isJsonObject, jsonMember, KEY } from './annotations.ts';
import type { AnnotationReader } from './annotations.ts';

/**
 * `auth-*` annotations → the authenticate action ALB runs before the backend action, on HTTPS
 * listeners only (ALB rejects authenticate actions on HTTP listeners).
 */

function extraParams(cfg: unknown): Record<string, string> | undefined | 'invalid' {
  const v = jsonMember(cfg, 'authenticationRequestExtraParams');
  if (v === undefined) return undefined;
  if (!isJsonObject(v) || !Object.values(v).every((x) => typeof x === 'string')) return 'invalid';
  return Object.fromEntries(Object.entries(v as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function requiredStrings(cfg: unknown, keys: readonly string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = jsonMember(cfg, k);
    if (typeof v !== 'string' || v === '') return k;
    out[k] = v;
  }
  return out;
}

/**
 * The authenticate action for a rule, undefined when `auth-type` is absent or `none`. Errors go
 * to the reader's diagnostics and also yield undefined; `namespace` is where the OIDC Secret lives.
 */
export function authAction(r: AnnotationReader, namespace: string): AuthenticateAction | undefined {
  const type = r.oneOf(KEY.authType, ['none', 'oidc', 'cognito']);
  if (type === undefined || type === 'none') return undefined;
  const on =
    r.oneOf<OnUnauthenticatedRequest>(KEY.authOnUnauthenticatedRequest, ['authenticate', 'allow', 'deny']) ??
    'authenticate';
  const scope = r.string(KEY.authScope) ?? 'openid';
  const sessionCookieName = r.string(KEY.authSessionCookie) ?? 'AWSELBAuthSessionCookie';
  const sessionTimeout = r.integer(KEY.authSessionTimeout, 1, 604800) ?? 604800;
  const common = { onUnauthenticatedRequest: on, scope, sessionCookieName, sessionTimeout };
  if (type === 'oidc') {
    const cfg = r.json(KEY.authIdpOidc);
    if (cfg === undefined) {
      r.error(KEY.authIdpOidc, 'is required when auth-type is oidc');
      return undefined;
    }
    const fields = requiredStrings(cfg, [
      'issuer',
      'authorizationEndpoint',
      'tokenEndpoint',
      'userInfoEndpoint',
      'secretName',
    ]);
    if (typeof fields === 'string') {
      r.error(KEY.authIdpOidc, `must set ${fields}`);
      return undefined;
    }
    const extra = extraParams(cfg);
    if (extra === 'invalid') {
      r.error(KEY.authIdpOidc, 'authenticationRequestExtraParams must map strings to strings');
      return undefined;
    }
    return {
      type: 'authenticate-oidc',
      issuer: fields['issuer'] ?? '',
      authorizationEndpoint: fields['authorizationEndpoint'] ?? '',
      tokenEndpoint: fields['tokenEndpoint'] ?? '',
      userInfoEndpoint: fields['userInfoEndpoint'] ?? '',
      secretRef: { namespace, name: fields['secretName'] ?? '' },
      ...(extra === undefined ? {} : { authenticationRequestExtraParams: extra }),
      ...common,
    };
  }
  const cfg = r.json(KEY.authIdpCognito);
  if (cfg === undefined) {
    r.error(KEY.authIdpCognito, 'is required when auth-type is cognito');
    return undefined;
  }
  const fields = requiredStrings(cfg, ['userPoolARN', 'userPoolClientID', 'userPoolDomain']);
  if (typeof fields === 'string') {
    r.error(KEY.authIdpCognito, `must set ${fields}`);
    return undefined;
  }
  const extra = extraParams(cfg);
  if (extra === 'invalid') {
    r.error(KEY.authIdpCognito, 'authenticationRequestExtraParams must map strings to strings');
    return undefined;
  }
  return {
    type: 'authenticate-cognito',
    userPoolArn: fields['userPoolARN'] ?? '',
    userPoolClientId: fields['userPoolClientID'] ?? '',
    userPoolDomain: fields['userPoolDomain'] ?? '',
    ...(extra === undefined ? {} : { authenticationRequestExtraParams: extra }),
    ...common,
  };
}
