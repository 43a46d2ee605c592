import { readFileSync } from 'node:fs';
import { ACMClient } from '@aws-sdk/client-acm';
import { EC2Client, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { TestContext } from 'node:test';
import { startAwsEmulator } from '../../../src/emulator/aws/index.ts';
import type { AwsEmulator, AwsEmulatorOptions } from '../../../src/emulator/aws/index.ts';

/**
 * The target every AWS test talks to through the real SDK v3 clients: a fresh emulator on
 * 127.0.0.1:0, or the endpoint in PORTICO_TEST_AWS_ENDPOINT (LocalStack or AWS) when set. Tests that
 * need the emulator's control API or its exact quotas skip themselves against an external target.
 */
export interface AwsTarget {
  readonly endpoint: string;
  /** Undefined against an external endpoint. */
  readonly emulator: AwsEmulator | undefined;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly acm: ACMClient;
  readonly ec2: EC2Client;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  close(): Promise<void>;
}

export const EXTERNAL_ENDPOINT = process.env['PORTICO_TEST_AWS_ENDPOINT'];
export const REGION = process.env['PORTICO_TEST_AWS_REGION'] ?? 'us-east-1';

export async function startTarget(
  options: AwsEmulatorOptions = {},
  clientOptions: { maxAttempts?: number } = {},
): Promise<AwsTarget> {
  const emulator =
    EXTERNAL_ENDPOINT === undefined ? await startAwsEmulator({ port: 0, seed: 42, ...options }) : undefined;
  const endpoint = emulator?.url ?? EXTERNAL_ENDPOINT ?? '';
  const config = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: clientOptions.maxAttempts ?? 3,
  };
  const elb = new ElasticLoadBalancingV2Client(config);
  const acm = new ACMClient(config);
  const ec2 = new EC2Client(config);
  const tagging = new ResourceGroupsTaggingAPIClient(config);
  return {
    endpoint,
    emulator,
    elb,
    acm,
    ec2,
    tagging,
    async close() {
      for (const c of [elb, acm, ec2, tagging]) c.destroy();
      await emulator?.close();
    },
  };
}

/** Skips the test unless it runs against the embedded emulator (control API, lowered quotas, clocks). */
export function emulatorOnly(t: TestContext, target: AwsTarget): target is AwsTarget & { emulator: AwsEmulator } {
  if (target.emulator === undefined) {
    t.skip('needs the embedded emulator');
    return false;
  }
  return true;
}

let counter = 0;
/** A name unique within this run (external targets keep state between runs and tests). */
export function uniqueName(prefix: string): string {
  counter++;
  return EXTERNAL_ENDPOINT === undefined ? `${prefix}-${counter}` : `${prefix}-${process.pid.toString(36)}-${counter}`;
}

/** Subnets in two or more AZs for internet-facing ALBs, and their VPC. */
export async function publicSubnets(target: AwsTarget): Promise<{ vpcId: string; subnetIds: string[] }> {
  const tagged = await target.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:kubernetes.io/role/elb', Values: ['1'] }] }),
  );
  let subnets = tagged.Subnets ?? [];
  if (subnets.length < 2) subnets = (await target.ec2.send(new DescribeSubnetsCommand({}))).Subnets ?? [];
  const byAz = new Map<string, { id: string; vpc: string }>();
  for (const s of subnets) {
    if (s.AvailabilityZone !== undefined && s.SubnetId !== undefined && !byAz.has(s.AvailabilityZone)) {
      byAz.set(s.AvailabilityZone, { id: s.SubnetId, vpc: s.VpcId ?? '' });
    }
  }
  const list = [...byAz.values()];
  return { vpcId: list[0]?.vpc ?? '', subnetIds: list.map((s) => s.id) };
}

const FIXTURES = new URL('./fixtures/', import.meta.url);
export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** A body for the SDK's blob members (it base64-encodes them). */
export function blob(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The error an SDK call rejects with, or fails the test if it succeeds. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (e: unknown) {
    if (e instanceof Error) return e;
    throw new Error(`rejected with a non-Error: ${String(e)}`, { cause: e });
  }
  throw new Error('expected the call to fail, but it succeeded');
}
