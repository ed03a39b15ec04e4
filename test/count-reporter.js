// A jest reporter that ends the run with a plain "N passed, N failed" line, which CI reads (it does
// not parse jest's own summary). Unlike --json, it never serializes assertion values, so a failing
// bigint comparison cannot break the count.
class CountReporter {
  onRunComplete(_contexts, results) {
    let failed = results.numFailedTests + (results.numRuntimeErrorTestSuites || 0);
    // A failing beforeAll/afterAll fails its suite without failing a test: count the suite.
    if (failed === 0 && results.numFailedTestSuites > 0) failed = results.numFailedTestSuites;
    const skipped = results.numPendingTests ? `, ${results.numPendingTests} skipped` : '';
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped}\n`;
    // At exit, so it is the closing line, after jest's own summary.
    process.once('exit', () => process.stdout.write(line));
  }
}
module.exports = CountReporter;
