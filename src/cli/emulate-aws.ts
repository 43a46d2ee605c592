import type { ParsedValues } from './command.ts';
import { UsageError } from './command.ts';

// Placeholder until the aws emulator lands; replaced by its wiring.
export function runAwsEmulator(_values: ParsedValues): Promise<number> {
  return Promise.reject(new UsageError('portico emulate aws: not available yet'));
}
