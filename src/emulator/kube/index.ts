/**
 * The embedded Kubernetes API server: `startKubeApiServer()` and the types tests and
 * `portico local` code against.
 */
export { startKubeApiServer } from './server.ts';
export type { KubeApiServer, KubeApiServerOptions } from './server.ts';
export { ApiError } from './status.ts';
export type { Faults, FaultMatch } from './faults.ts';
export type { ObjectApi } from './object-api.ts';
export type { Authorizer, RequestAttributes, UserInfo } from './auth.ts';
export { PatchType } from './patch.ts';
export type { JsonObject } from './json.ts';
export { rbacAuthorizer } from './rbac.ts';
