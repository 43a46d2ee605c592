import type { ParsedValues } from './command.ts';
import { UsageError } from './command.ts';

// Placeholder until the kube emulator lands; replaced by its wiring.
export function runKubeEmulator(_values: ParsedValues): Promise<number> {
  return Promise.reject(new UsageError('portico emulate kube: not available yet'));
}
