/**
 * Envoy resources as proto3 canonical JSON values (snake_case field names). `undefined` members are
 * allowed so optional fields can be spread in; JSON serialisation drops them.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined;
}
