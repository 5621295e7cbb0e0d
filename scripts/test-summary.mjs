#!/usr/bin/env node
// Reads vitest's JSON report and prints the closing line CI recognises: "N passed, N failed".
// Build or generated-code failures before the tests count as one failure each.
import { readFileSync, existsSync } from 'node:fs';

const [file, priorStatus] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (file && existsSync(file)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
} else {
  failed = 1;
}
if (priorStatus === '1' && failed === 0) failed = 1;
if (passed === 0) failed = Math.max(failed, 1);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
