import { createHash } from 'node:crypto';

/**
 * ALB stickiness cookies. `AWSALB` (lb_cookie) names the target, `AWSALBTG` names the target group
 * of a weighted forward; each has a `…CORS` twin with `SameSite=None; Secure`. ALB encrypts the
 * value; here it is base64url of `<scope>|<name>` plus a short digest, so it is opaque and tamper-
 * evident but not secret (documented). A cookie that does not decode is ignored.
 */

function digest(s: string): string {
  return createHash('sha256').update(s).digest('base64url').slice(0, 10);
}

export function encodeSticky(scope: string, name: string): string {
  const payload = `${scope}|${name}`;
  return `${Buffer.from(payload).toString('base64url')}.${digest(payload)}`;
}

export function decodeSticky(scope: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot === -1) return undefined;
  const payload = Buffer.from(value.slice(0, dot), 'base64url').toString();
  if (digest(payload) !== value.slice(dot + 1)) return undefined;
  const bar = payload.indexOf('|');
  return bar !== -1 && payload.slice(0, bar) === scope ? payload.slice(bar + 1) : undefined;
}

/** The value of one cookie from a Cookie header (first occurrence), without allocating a map. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join('; ') : header;
  let i = text.indexOf(`${name}=`);
  while (i !== -1) {
    const before = i === 0 ? ';' : text.charAt(i - 1);
    if (before === ';' || before === ' ') {
      const start = i + name.length + 1;
      const end = text.indexOf(';', start);
      return (end === -1 ? text.slice(start) : text.slice(start, end)).trim();
    }
    i = text.indexOf(`${name}=`, i + 1);
  }
  return undefined;
}

/** `Set-Cookie` values for a sticky cookie and its CORS twin, expiring `seconds` from now. */
export function stickyCookies(name: string, value: string, seconds: number, nowMs: number): string[] {
  const expires = new Date(nowMs + seconds * 1000).toUTCString();
  return [
    `${name}=${value}; Expires=${expires}; Path=/`,
    `${name}CORS=${value}; Expires=${expires}; Path=/; SameSite=None; Secure`,
  ];
}
