/**
 * How the controller's Node.js process should be started (the container image's entrypoint does
 * this; test/install checks that the Dockerfile agrees). Node 24 keeps heap pages V8 has freed
 * resident, so the process's RSS follows the heap's high-water mark: these flags keep that mark
 * close to the live size (a small young generation; an old generation that grows only 20 % past
 * what the last full GC kept). `--heap-growing-percent` is not accepted in NODE_OPTIONS, so the
 * flags go on the command line. Figures: bench/RESULTS.md, `## controller-memory`.
 */
export const CONTROLLER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--heap-growing-percent=20'];

/** Environment for the same purpose: fewer glibc malloc arenas. */
export const CONTROLLER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
