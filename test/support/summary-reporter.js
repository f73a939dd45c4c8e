'use strict';
/**
 * Prints one plain closing line, `jest: N passed, N failed[, N skipped]`, that CI tooling reads
 * whatever the runner (jest's own summary is not in that form).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.stderr.write(`${line}\n`);
  }
}
module.exports = SummaryReporter;
