import type { JsonInput } from './wire/json-input.ts';
import type { QueryInput } from './wire/query-input.ts';
import type { XmlValue } from './wire/xml.ts';
import type { RegionState } from './state/region.ts';
import type { Store } from './state/store.ts';

/** What an operation handler gets: the whole store and the caller's region (from the SigV4 scope). */
export interface OpContext {
  readonly store: Store;
  readonly region: RegionState;
}

/** One query-protocol operation (ELBv2, EC2): returns the response body content (or nothing for empty outputs). */
export interface QueryOperation {
  /** Whether a success changes state (data-plane subscribers are told; the aws-like profile rate-limits it harder). */
  readonly mutating: boolean;
  readonly handle: (ctx: OpContext, input: QueryInput) => XmlValue;
}

export type QueryOperations = Readonly<Record<string, QueryOperation>>;

/** One awsJson1_1 operation (ACM, Tagging): returns the JSON response object. */
export interface JsonOperation {
  readonly mutating: boolean;
  readonly handle: (ctx: OpContext, input: JsonInput) => Record<string, unknown>;
}

export type JsonOperations = Readonly<Record<string, JsonOperation>>;
