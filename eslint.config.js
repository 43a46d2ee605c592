// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The pure core: translation, model, Envoy rendering and AWS planning take data and return data.
 * They must not reach for the network, the file system, the AWS SDK, the Kubernetes client at
 * run time, the logger, the clock or randomness (DESIGN.md, "Pure core, imperative shell").
 */
export const pureCoreFiles = [
  'src/ingress/**/*.ts',
  'src/model/**/*.ts',
  'src/envoy/render*',
  'src/envoy/render*/**/*.ts',
  'src/aws/plan*',
];

const nodeIo = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'tls',
  'worker_threads',
  'cluster',
];

export const pureCoreImportRule = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: [
        ...nodeIo.flatMap((m) => [
          { name: m, message: 'The pure core does no I/O; pass data in from the shell.' },
          { name: `node:${m}`, message: 'The pure core does no I/O; pass data in from the shell.' },
        ]),
        { name: 'pino', message: 'The pure core does not log; return diagnostics instead.' },
        {
          name: '@kubernetes/client-node',
          allowTypeImports: true,
          message: 'Kubernetes client types stop at src/k8s/convert; the core sees our own types.',
        },
      ],
      patterns: [
        { group: ['@aws-sdk/*'], message: 'The pure core never calls AWS; src/aws/read and apply do.' },
        { group: ['**/log', '**/log.ts', '**/logger', '**/logger.ts'], message: 'The pure core does not log.' },
      ],
    },
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'The pure core has no clock; take the time as an argument.' },
    { object: 'Math', property: 'random', message: 'The pure core has no randomness; take a seed as an argument.' },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: 'The pure core has no clock; take the time as an argument.',
    },
  ],
  '@typescript-eslint/no-non-null-assertion': 'error',
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.portico/**', '.tools/**', 'cdk.out/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: pureCoreFiles, rules: pureCoreImportRule },
  {
    // The emulators are the ground truth the controller is tested against; a misunderstanding in the
    // controller must not be able to hide inside them.
    files: ['src/emulator/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../', '../../../', '../../../../'].flatMap((up) =>
                ['aws', 'k8s', 'ingress', 'reconcile'].map((dir) => `${up}${dir}/**`),
              ),
              message: 'Emulators are independent of the controller (DESIGN.md).',
            },
          ],
        },
      ],
    },
  },
  { files: ['src/cli/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'infra/**/*.ts'], rules: { 'no-console': 'off' } },
);
