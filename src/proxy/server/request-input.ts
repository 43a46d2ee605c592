import type { IncomingHttpHeaders } from 'node:http';
import type { MatchInput } from '../route/matchers.ts';

/**
 * The request as route matchers see it. Multi-valued headers are split lazily from the raw header
 * list, only when a matcher asks for a header that was sent more than once.
 */
export class RequestInput implements MatchInput {
  readonly path: string;
  readonly pathAndQuery: string;
  readonly authority: string;
  readonly method: string;
  readonly scheme: string;
  readonly sourceIp: string;
  private readonly headers: IncomingHttpHeaders;
  private readonly rawHeaders: readonly string[] | undefined;

  constructor(
    pathAndQuery: string,
    authority: string,
    method: string,
    scheme: string,
    sourceIp: string,
    headers: IncomingHttpHeaders,
    rawHeaders: readonly string[] | undefined,
  ) {
    const q = pathAndQuery.indexOf('?');
    this.path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
    this.pathAndQuery = pathAndQuery;
    this.authority = authority;
    this.method = method;
    this.scheme = scheme;
    this.sourceIp = sourceIp;
    this.headers = headers;
    this.rawHeaders = rawHeaders;
  }

  /** Query string without `?` ('' when absent). */
  get query(): string {
    const q = this.pathAndQuery.indexOf('?');
    return q === -1 ? '' : this.pathAndQuery.slice(q + 1);
  }

  headerValues(name: string): readonly string[] {
    const v = this.headers[name];
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    // Node joins repeated headers with ", "; recover each occurrence from the raw list.
    if (this.rawHeaders !== undefined && v.includes(',')) {
      const out: string[] = [];
      for (let i = 0; i < this.rawHeaders.length; i += 2) {
        if ((this.rawHeaders[i] ?? '').toLowerCase() === name) out.push(this.rawHeaders[i + 1] ?? '');
      }
      return out;
    }
    return [v];
  }
}
