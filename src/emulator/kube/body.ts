import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from './status.ts';
import { decodeKubeProtobuf } from './protobuf.ts';

/** Largest request body accepted, as the real server's limit (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

/** Reads the whole request body (413 beyond the limit). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBodyBytes)
      throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * Decodes a body by Content-Type: JSON for everything, YAML for server-side apply
 * (`application/apply-patch+yaml`; a JSON body is valid YAML too). Malformed input is a 400 with
 * the parser's reason, as a Status.
 */
export function decodeBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  if (type === 'application/apply-patch+yaml' || type === 'application/yaml') {
    try {
      return parseYaml(text);
    } catch (e: unknown) {
      throw badRequest(`error decoding YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  if (type === 'application/vnd.kubernetes.protobuf') return decodeKubeProtobuf(raw);
  try {
    return JSON.parse(text) as unknown;
  } catch (e: unknown) {
    throw badRequest(`couldn't get version/kind; json parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
