/**
 * An incremental HTTP/1.1 response parser for the upstream leg: status line and headers, then the
 * body framed by `Transfer-Encoding: chunked`, `Content-Length`, or the end of the connection (RFC
 * 9112 §6.3). Bytes are fed as they arrive; callbacks receive the head, body chunks and the end.
 * Anything malformed is an error (the caller answers 502), never a guess.
 */

/** Response headers as Node presents them: lowercase names, `set-cookie` as a list, others joined. */
export type ResponseHeaders = Record<string, string | string[]>;

export interface ResponseHead {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** The connection may carry another request after this response. */
  readonly keepAlive: boolean;
}

export interface ParserEvents {
  head(head: ResponseHead): void;
  body(chunk: Buffer): void;
  /** The response is complete. */
  end(): void;
}

/** The most header bytes accepted from a target (ALB answers 502 beyond 32 KB). */
const MAX_HEAD = 32 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

export class ResponseParseError extends Error {
  override name = 'ResponseParseError';
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-data-crlf' | 'trailers' | 'close' | 'done';

export class ResponseParser {
  private state: State = 'head';
  private buffer: Buffer | undefined;
  private remaining = 0;
  private readonly events: ParserEvents;
  private readonly noBody: boolean;

  /** `noBody`: the request was HEAD, so no response has a body. */
  constructor(events: ParserEvents, noBody: boolean) {
    this.events = events;
    this.noBody = noBody;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether the response is delimited by the connection closing (then `finish()` ends it). */
  get closeDelimited(): boolean {
    return this.state === 'close';
  }

  /** Bytes from the socket. Throws ResponseParseError on malformed input. */
  feed(data: Buffer): void {
    let chunk = this.buffer === undefined ? data : Buffer.concat([this.buffer, data]);
    this.buffer = undefined;
    while (chunk.length > 0 && this.state !== 'done') {
      switch (this.state) {
        case 'head': {
          const end = chunk.indexOf(CRLFCRLF);
          if (end === -1) {
            if (chunk.length > MAX_HEAD) throw new ResponseParseError('response headers over 32 KB');
            this.buffer = chunk;
            return;
          }
          const rest = this.parseHead(chunk.toString('latin1', 0, end));
          chunk = chunk.subarray(end + 4);
          if (rest) continue;
          break;
        }
        case 'length': {
          const n = Math.min(this.remaining, chunk.length);
          this.events.body(chunk.subarray(0, n));
          this.remaining -= n;
          chunk = chunk.subarray(n);
          if (this.remaining === 0) this.finishResponse();
          break;
        }
        case 'close':
          this.events.body(chunk);
          return;
        case 'chunk-size': {
          const eol = chunk.indexOf('\r\n');
          if (eol === -1) {
            if (chunk.length > 1024) throw new ResponseParseError('chunk size line too long');
            this.buffer = chunk;
            return;
          }
          const line = chunk.toString('latin1', 0, eol);
          const size = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(line);
          if (size === null) throw new ResponseParseError(`bad chunk size ${JSON.stringify(line.slice(0, 20))}`);
          this.remaining = parseInt(size[1] ?? '0', 16);
          chunk = chunk.subarray(eol + 2);
          this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'chunk-data': {
          const n = Math.min(this.remaining, chunk.length);
          this.events.body(chunk.subarray(0, n));
          this.remaining -= n;
          chunk = chunk.subarray(n);
          if (this.remaining === 0) this.state = 'chunk-data-crlf';
          break;
        }
        case 'chunk-data-crlf': {
          if (chunk.length < 2) {
            this.buffer = chunk;
            return;
          }
          if (chunk[0] !== 13 || chunk[1] !== 10) throw new ResponseParseError('missing CRLF after chunk data');
          chunk = chunk.subarray(2);
          this.state = 'chunk-size';
          break;
        }
        case 'trailers': {
          // Trailer fields end with an empty line; they are dropped (HTTP/1.1 clients rarely use them).
          const eol = chunk.indexOf('\r\n');
          if (eol === -1) {
            if (chunk.length > MAX_HEAD) throw new ResponseParseError('trailers over 32 KB');
            this.buffer = chunk;
            return;
          }
          chunk = chunk.subarray(eol + 2);
          if (eol === 0) this.finishResponse();
          break;
        }
        default:
          return;
      }
    }
    if (this.state === 'done' && chunk.length > 0) throw new ResponseParseError('bytes after the end of the response');
  }

  /** The connection closed: completes a close-delimited body, else the response was cut short. */
  finish(): void {
    if (this.state === 'close') {
      this.state = 'done';
      this.events.end();
      return;
    }
    if (this.state !== 'done') throw new ResponseParseError('connection closed before the response was complete');
  }

  private finishResponse(): void {
    this.state = 'done';
    this.events.end();
  }

  /** Parses the head; returns true if parsing should continue with the body bytes. */
  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (statusLine === null)
      throw new ResponseParseError(`bad status line ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
    const minor = statusLine[1];
    const status = Number(statusLine[2]);
    const headers: ResponseHeaders = {};
    let chunked = false;
    let length = -1;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const colon = line.indexOf(':');
      if (colon <= 0 || line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) {
        throw new ResponseParseError('malformed header line (obsolete folding or no colon)');
      }
      const name = line.slice(0, colon).toLowerCase();
      if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name))
        throw new ResponseParseError(`bad header name ${JSON.stringify(name)}`);
      const value = line.slice(colon + 1).trim();
      if (name === 'transfer-encoding') {
        if (value.toLowerCase() !== 'chunked') throw new ResponseParseError(`unsupported transfer coding ${value}`);
        chunked = true;
      } else if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length !== -1 && Number(value) !== length))
          throw new ResponseParseError('bad content-length');
        length = Number(value);
      } else if (name === 'connection') connection = value.toLowerCase();
      const existing = headers[name];
      if (existing === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
      else if (Array.isArray(existing)) existing.push(value);
      else headers[name] = `${existing}, ${value}`;
    }
    if (status >= 100 && status < 200) {
      // Interim responses (100 Continue, 103 Early Hints) are consumed; the final one follows.
      if (status === 101) throw new ResponseParseError('101 Switching Protocols to a request that did not ask for it');
      return true;
    }
    if (chunked && length !== -1) throw new ResponseParseError('both Transfer-Encoding and Content-Length');
    const bodiless = this.noBody || status === 204 || status === 304;
    let keepAlive = minor === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    if (bodiless) this.state = 'done';
    else if (chunked) this.state = 'chunk-size';
    else if (length >= 0) {
      this.remaining = length;
      this.state = length === 0 ? 'done' : 'length';
    } else {
      this.state = 'close';
      keepAlive = false;
    }
    this.events.head({ status, headers, keepAlive });
    if (this.state === 'done') this.events.end();
    return true;
  }
}
