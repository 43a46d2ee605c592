/**
 * Child process of the memory benchmark's `controller` mode: the AWS emulator with region quotas
 * raised so that thousands of load balancers fit. Prints `{url}` when ready; ends with stdin.
 */
import { createInterface } from 'node:readline';
import { startAwsEmulator } from '../../src/emulator/aws/index.ts';

const aws = await startAwsEmulator({
  host: '127.0.0.1',
  port: 0,
  seed: 42,
  quotas: { loadBalancersPerRegion: 50_000, targetGroupsPerRegion: 50_000 },
});
process.stdout.write(`${JSON.stringify({ url: aws.url })}\n`);
createInterface({ input: process.stdin }).on('close', () => void aws.close().then(() => process.exit(0)));
