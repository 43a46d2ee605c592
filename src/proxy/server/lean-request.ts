import type { IncomingHttpHeaders } from 'node:http';

/**
 * A strict reader for the plainest HTTP/1.1 request heads, the ones the client-side fast path
 * (lean-connection.ts) answers itself: `METHOD SP target SP HTTP/1.1`, each header on one line,
 * no header twice, no body (no Transfer-Encoding, Content-Length only `0`), no `Expect`, no
 * upgrade. Anything else — including every malformed or ambiguous head — reads as `undefined`,
 * and the connection goes to Node's HTTP server, whose parser (llhttp) and the proxy's hardening
 * handle it exactly as before. So this reader never has to decide what is an error.
 */

export interface LeanRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: '1.1';
  /** Lower-case names, as Node's IncomingMessage has them (no name occurs twice here). */
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  /** The request asked to close the connection after its response. */
  readonly close: boolean;
  /** Always true: the request has no body. (Shape shared with IncomingMessage.) */
  readonly readableEnded: true;
  resume(): void;
}

const REQUEST_LINE = /^([A-Z]{1,20}) ([!-~]+) HTTP\/1\.1$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values: visible ASCII, SP, HTAB and obs-text; no CR, LF, NUL or other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const noop = (): void => undefined;

function trimOws(v: string): string {
  let a = 0;
  let b = v.length;
  while (a < b && (v.charCodeAt(a) === 32 || v.charCodeAt(a) === 9)) a++;
  while (b > a && (v.charCodeAt(b - 1) === 32 || v.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === v.length ? v : v.slice(a, b);
}

/** Reads the head in `text` (without its final empty line), or `undefined` when it is not plain. */
export function readLeanRequest(text: string): LeanRequest | undefined {
  const lines = text.split('\r\n');
  const m = REQUEST_LINE.exec(lines[0] ?? '');
  if (m === null) return undefined;
  const headers: IncomingHttpHeaders = {};
  const raw: string[] = [];
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) return undefined;
    const key = name.toLowerCase();
    if (headers[key] !== undefined) return undefined;
    const v = trimOws(value);
    switch (key) {
      case 'content-length':
        if (v !== '0') return undefined;
        break;
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined;
      case 'connection': {
        const tokens = v.toLowerCase();
        if (tokens.includes('upgrade')) return undefined;
        close = /(?:^|,)\s*close\s*(?:,|$)/.test(tokens);
        break;
      }
    }
    headers[key] = v;
    raw.push(name, v);
  }
  return {
    method: m[1] as string,
    url: m[2] as string,
    httpVersion: '1.1',
    headers,
    rawHeaders: raw,
    close,
    readableEnded: true,
    resume: noop,
  };
}
