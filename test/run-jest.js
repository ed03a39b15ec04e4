#!/usr/bin/env node
// Runs jest and ends with a plain "N passed, N failed" line, which CI reads (it does not parse jest's
// own summary). The exit code is jest's.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const resultFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jest-result-')), 'result.json');
const jest = require.resolve('jest/bin/jest');
const run = spawnSync(process.execPath, [jest, '--json', `--outputFile=${resultFile}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
let summary = 'jest did not write a result';
try {
  const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  summary = `${r.numPassedTests} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : '');
} catch (err) {
  summary = `0 passed, 1 failed (${err.message})`;
}
console.log(summary);
process.exit(run.status === null ? 1 : run.status);
