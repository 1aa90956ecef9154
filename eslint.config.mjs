// ESLint for the whole workspace: the library (main, testing, ui entry points),
// its schematics, the server package, the demo app and demo-server. Run by `npm test` (`npm run lint`).
//
// Besides the usual TypeScript and Angular rules it holds the library's layers:
//   core/                 framework-free: the connection engine, transports, chat protocol
//   status/, provide/     the Angular layer every service shares
//   tab-sharing/          sharing connections between tabs, at the transport seam: below the services
//   notifications/, long-poll/, chat/   one folder per service, none importing another
// and keeps the library off demo-server (integration specs use the @demo-server alias).
import eslint from '@eslint/js';
import angular from 'angular-eslint';
import tseslint from 'typescript-eslint';

const LIB = 'projects/ngx-realtime-signals';
const SERVICES = ['chat', 'notifications', 'long-poll'];

/** Relative import patterns that reach lib/<folder> from a file `depth` folders below lib/. */
function reach(folders, depth = 1) {
  const up = '../'.repeat(depth);
  return folders.flatMap((f) => [`${up}${f}`, `${up}${f}/*`]);
}

const noDemoServer = {
  group: ['**/demo-server', '**/demo-server/**'],
  message: 'The library never imports demo-server by path; specs use the @demo-server/* alias.',
};
const noDemoServerAtAll = {
  group: ['**/demo-server', '**/demo-server/**', '@demo-server', '@demo-server/*'],
  message: 'The library never imports demo-server; only specs start it, through the @demo-server/* alias.',
};
const noAngular = {
  group: ['@angular/*', 'rxjs', 'rxjs/*'],
  message: 'core/ is framework-free (plain TypeScript, tested without TestBed): no Angular, no RxJS.',
};
const noServices = {
  group: reach(SERVICES),
  message: 'Only public-api.ts assembles the services; layers below them (core, status, provide) never import a service folder.',
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'out-tsc/**',
      '.angular/**',
      'coverage/**',
      'node_modules/**',
      '.verify-package/**',
      'docs/api/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Angular code: the library's entry points, the demo app.
  {
    files: [`${LIB}/{src,testing,ui}/**/*.ts`, 'projects/demo/**/*.ts'],
    extends: [...angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
    rules: {
      '@angular-eslint/component-selector': ['error', { type: 'element', prefix: ['rt', 'app'], style: 'kebab-case' }],
      '@angular-eslint/directive-selector': ['error', { type: 'attribute', prefix: ['rt', 'app'], style: 'camelCase' }],
    },
  },
  {
    files: ['**/*.html'],
    extends: [...angular.configs.templateRecommended, ...angular.configs.templateAccessibility],
  },
  // Layers of the library.
  ...[1, 2].map((depth) => ({
    files: [`${LIB}/src/lib/core/${'*/'.repeat(depth - 1)}*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noAngular,
            noDemoServerAtAll,
            { group: reach(['status', 'provide', 'integration', ...SERVICES], depth), message: 'core/ imports only core/: it is the bottom layer.' },
          ],
        },
      ],
    },
  })),
  {
    files: [`${LIB}/src/lib/{status,provide,tab-sharing}/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noServices, noDemoServerAtAll] }] },
  },
  ...SERVICES.map((service) => ({
    files: [`${LIB}/src/lib/${service}/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: reach(SERVICES.filter((s) => s !== service)), message: 'A service never imports another service.' },
            noDemoServerAtAll,
          ],
        },
      ],
    },
  })),
  // The secondary entry points see the main one only through its public API, as users do.
  {
    files: [`${LIB}/{testing,ui}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/src/lib', '**/src/lib/**', '**/src/public-api'], message: "Import 'ngx-realtime-signals', as an app would." },
            noDemoServerAtAll,
          ],
        },
      ],
    },
  },
  // Specs may start the real demo-server, through the alias only.
  {
    files: [`${LIB}/src/**/*.spec.ts`, `${LIB}/src/lib/integration/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDemoServer] }] },
  },
  // The server side (ngx-realtime-signals-server and demo-server): tests read untyped JSON off
  // the wire; the token verifier rejects control characters on purpose and may load the
  // ESM-only jose lazily with require().
  {
    files: ['demo-server/test/**/*.ts', 'projects/ngx-realtime-signals-server/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['{demo-server,projects/ngx-realtime-signals-server}/src/auth/token-verifier.ts'],
    rules: { 'no-control-regex': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  // The demo app uses the library as a package.
  {
    files: ['projects/demo/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/ngx-realtime-signals/**', '!ngx-realtime-signals/*'], message: "Import 'ngx-realtime-signals' (or its entry points), not its files." }, noDemoServer] },
      ],
    },
  },
);
