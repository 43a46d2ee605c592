import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the CDK app installs the chart and manifests that live next to the code. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
