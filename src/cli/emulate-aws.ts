import type { ParsedValues } from './command.ts';
import { UsageError, portFlag } from './command.ts';
import { startAwsEmulator } from '../emulator/aws/index.ts';
import { untilStopSignal } from './signals.ts';

/**
 * `portico emulate aws`: the ELBv2/ACM/EC2/tagging emulator alone, on `--host` (default 127.0.0.1)
 * and `--port` (default 4566, LocalStack's), until SIGINT/SIGTERM.
 */
export async function runAwsEmulator(values: ParsedValues): Promise<number> {
  const port = values['port'] === undefined ? 4566 : portFlag('emulate aws', 'port', values['port']);
  const host = typeof values['host'] === 'string' ? values['host'] : '127.0.0.1';
  const profile = values['profile'] ?? 'default';
  if (profile !== 'default' && profile !== 'aws-like') {
    throw new UsageError(`portico emulate aws: --profile must be 'default' or 'aws-like', got '${String(profile)}'`);
  }
  const emulator = await startAwsEmulator({ host, port, profile });
  process.stdout.write(
    [
      `AWS emulator (ELBv2, ACM, EC2, Resource Groups Tagging) listening on ${emulator.url} (profile: ${profile})`,
      `  export AWS_ENDPOINT_URL=${emulator.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
      '  aws elbv2 describe-load-balancers',
      `  control API: ${emulator.url}/_portico/calls, /_portico/faults, /_portico/reset, /_portico/profile`,
      'Press Ctrl-C to stop.',
    ].join('\n') + '\n',
  );
  await untilStopSignal();
  await emulator.close();
  process.stdout.write('AWS emulator stopped.\n');
  return 0;
}
