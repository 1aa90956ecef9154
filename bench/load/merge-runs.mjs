// `node bench/load/merge-runs.mjs bench/results/load-A.json bench/results/load-B.json ...`
// Prints the summary tables over several separate runs (field-wise medians), so heavy runs can be spread
// out in time on a shared machine instead of repeated back to back.
import { readFileSync } from 'node:fs';
import { summarize } from './summary.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/load/merge-runs.mjs <load-*.json>...');
  process.exit(2);
}
const reports = files.map((file) => JSON.parse(readFileSync(file, 'utf8')));
if (new Set(reports.map((r) => r.quick)).size > 1) {
  console.error('refusing to merge --quick runs with full runs: their sizes differ');
  process.exit(2);
}
const runs = {};
for (const report of reports) {
  for (const [name, results] of Object.entries(report.runs)) (runs[name] ??= []).push(...results);
}
const counts = [...new Set(Object.values(runs).map((results) => results.length))];
const machine = { ...reports[0].machine, date: reports.map((r) => r.machine.date).join(', ') };
console.log(summarize({ machine, runs, repeat: Math.max(...counts) }));
