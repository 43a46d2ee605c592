import { randomFillSync } from 'node:crypto';

/**
 * X-Amzn-Trace-Id as ALB writes it: `Root=1-<8 hex epoch seconds>-<24 hex random>`; an incoming
 * header with a Root keeps its fields and gets a fresh `Self=` field; one over 7 KB is replaced.
 * Random bytes come from a refilled pool so a request costs no crypto call.
 */
const pool = Buffer.alloc(4096);
let offset = pool.length;
const MAX_INCOMING = 7 * 1024;

function randomHex24(): string {
  if (offset + 12 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + 12);
  offset += 12;
  return s;
}

function newId(nowMs: number): string {
  return `1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomHex24()}`;
}

export function traceId(incoming: string | undefined, nowMs: number): string {
  if (incoming === undefined || incoming.length > MAX_INCOMING || !/(^|;)\s*Root=/.test(incoming))
    return `Root=${newId(nowMs)}`;
  const fields = incoming.split(';').filter((f) => !/^\s*Self=/.test(f));
  return [`Self=${newId(nowMs)}`, ...fields].join(';');
}
