// Checks (or, with --update, rewrites) the API report of each entry point of
// ngx-realtime-signals against its golden file in goldens/public-api/, so every
// change of the public surface shows up in review. Declarations come from the
// sources through tsc (projects/ngx-realtime-signals/tsconfig.api.json), so no
// library build is needed.
//
//   node scripts/api-report.mjs            fails when code and goldens differ
//   node scripts/api-report.mjs --update   rewrites the goldens (npm run api:update)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const update = process.argv.includes('--update');
const declarations = join(root, 'out-tsc/api');
const goldens = join(root, 'goldens/public-api');

/** Entry points: the package name users import, its declarations, its golden. */
export const ENTRY_POINTS = [
  { name: 'ngx-realtime-signals', dts: 'src/public-api.d.ts', golden: 'ngx-realtime-signals.api.md' },
  { name: 'ngx-realtime-signals/testing', dts: 'testing/src/public-api.d.ts', golden: 'ngx-realtime-signals-testing.api.md' },
  { name: 'ngx-realtime-signals/ui', dts: 'ui/src/public-api.d.ts', golden: 'ngx-realtime-signals-ui.api.md' },
];

rmSync(declarations, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'projects/ngx-realtime-signals/tsconfig.api.json')], {
  stdio: 'inherit',
});

// The secondary entry points import the main one by its package name, as users do. A copy of
// the declarations under node_modules/ makes API Extractor treat that import as another
// package (referenced, not inlined), as it is in the published package.
const installed = join(declarations, 'node_modules/ngx-realtime-signals');
cpSync(join(declarations, 'src'), join(installed, 'src'), { recursive: true });
cpSync(join(declarations, 'testing'), join(installed, 'testing'), { recursive: true });
writeFileSync(
  join(installed, 'package.json'),
  JSON.stringify({
    name: 'ngx-realtime-signals',
    types: './src/public-api.d.ts',
    exports: {
      '.': { types: './src/public-api.d.ts' },
      './testing': { types: './testing/src/public-api.d.ts' },
    },
  }),
);

mkdirSync(goldens, { recursive: true });
const failures = [];
for (const entry of ENTRY_POINTS) {
  const reportFile = join(goldens, entry.golden);
  const config = ExtractorConfig.prepare({
    configObjectFullPath: join(root, 'api-extractor.json'),
    packageJsonFullPath: join(root, 'projects/ngx-realtime-signals/package.json'),
    configObject: {
      projectFolder: root,
      newlineKind: 'lf',
      mainEntryPointFilePath: join(declarations, entry.dts),
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            module: 'preserve',
            moduleResolution: 'bundler',
            lib: ['ES2022', 'dom', 'dom.iterable'],
            strict: true,
            skipLibCheck: true,
            types: [],
            paths: {
              'ngx-realtime-signals': [join(installed, 'src/public-api.d.ts')],
              'ngx-realtime-signals/testing': [join(installed, 'testing/src/public-api.d.ts')],
            },
          },
          files: [join(declarations, entry.dts)],
        },
      },
      apiReport: {
        enabled: true,
        reportFolder: goldens,
        reportTempFolder: join(root, 'out-tsc/api-report'),
        reportFileName: entry.golden.replace(/\.api\.md$/, ''),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning', addToApiReportFile: true },
          // Angular's style: ɵ-prefixed exports are private; API Extractor would ask for a release tag.
          'ae-missing-release-tag': { logLevel: 'none' },
          'ae-internal-missing-underscore': { logLevel: 'none' },
          // Members without a doc comment are marked "(undocumented)" in the report itself.
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  });
  const before = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : null;
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false, messageCallback: quiet });
  const after = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : null;
  if (update) {
    console.log(`${before === after ? 'unchanged' : 'updated  '} ${relative(root, reportFile)} (${entry.name})`);
  } else if (!result.apiReportChanged && result.succeeded) {
    console.log(`ok        ${relative(root, reportFile)} (${entry.name})`);
  } else {
    failures.push(entry);
  }
}

if (failures.length > 0) {
  for (const entry of failures) {
    const actual = join(root, 'out-tsc/api-report', entry.golden);
    console.error(`\nThe public API of ${entry.name} differs from goldens/public-api/${entry.golden}.`);
    if (existsSync(actual)) {
      try {
        execFileSync('git', ['diff', '--no-index', '--', join(goldens, entry.golden), actual], { stdio: 'inherit' });
      } catch {
        // git diff exits 1 when the files differ; the diff is already printed.
      }
    }
  }
  console.error('\nIf the change is intended, run `npm run api:update` and commit the goldens.');
  process.exit(1);
}

/** API Extractor's own progress lines are noise here; warnings land in the report itself. */
function quiet(message) {
  if (message.logLevel === 'info' || message.logLevel === 'verbose') message.handled = true;
  if (message.messageId === 'console-api-report-not-copied' || message.messageId === 'console-api-report-changed') message.handled = true;
}
