import { createRequire } from 'node:module';

/**
 * Evaluates a rendered RE2 pattern as Envoy would: compiled by RE2 itself (re2-wasm, the RE2 build
 * grpc-js-xds ships) and matched against the whole string.
 */

const require = createRequire(import.meta.url);
const { RE2 } = require('re2-wasm') as { RE2: new (pattern: string, flags: string) => { test(s: string): boolean } };

const cache = new Map<string, { test(s: string): boolean }>();

export function re2FullMatch(pattern: string, value: string): boolean {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = new RE2(`^(?:${pattern})$`, 'u');
    cache.set(pattern, re);
  }
  return re.test(value);
}
