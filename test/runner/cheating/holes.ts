/**
 * The tampering of each documented hole: source code that runs in the test process and beats
 * the adapters' in-process guards. source-tampering.test.ts pins that the guards alone do not
 * stop them (`it.fails`); the tamper scan (runner/tamper-scan.ts) stops them at the rollout
 * level (tamper-scan-rollouts.test.ts, test/runner/tamper-scan.test.ts). Each is the top of a
 * source file; the file's exports follow.
 */

/** vitest: an `afterEach` registered from source gets the test's task and rewrites its result. */
export const VITEST_AFTER_EACH = [
  'import { afterEach } from "vitest";',
  'afterEach(({ task }) => { task.result.state = "pass"; task.result.errors = undefined; });',
].join("\n");

/** jest: jest-circus's state found under its symbol on the global, the running test's errors emptied. */
export const JEST_CIRCUS_STATE = [
  'const state = globalThis[Object.getOwnPropertySymbols(globalThis).find((s) => String(s).includes("JEST_STATE_SYMBOL"))];',
  "afterEach(() => { state.currentlyRunningTest.errors.length = 0; });",
].join("\n");

/** Any framework whose `toBe` (or equality) calls the realm's `Object.is`. */
export const OBJECT_IS = "Object.is = () => true;";

/** mocha: an exit handler rewrites the report file after repogym's reporter wrote it (CommonJS). */
export const MOCHA_EXIT_REPORT = [
  'const fs = require("node:fs");',
  'const reporter = Object.keys(require.cache).find((file) => file.endsWith("repogym-mocha-reporter.cjs"));',
  'const { reportPath } = JSON.parse(fs.readFileSync(reporter, "utf8").match(/const CONFIG = (.*);/)[1]);',
  'process.on("exit", () => {',
  '  const report = JSON.parse(fs.readFileSync(reportPath, "utf8"));',
  '  for (const result of report.results) { result.state = "passed"; delete result.error; }',
  "  fs.writeFileSync(reportPath, JSON.stringify(report));",
  "});",
].join("\n");

/** node:test: the child's stdout frames rewritten on their way out, test:fail to test:pass (ES module). */
export const NODE_TEST_FRAMES = [
  'import v8 from "node:v8";',
  "const write = process.stdout.write;",
  "const header = (() => { const s = new v8.DefaultSerializer(); s.writeHeader(); return s.releaseBuffer(); })();",
  "process.stdout.write = function (chunk, ...rest) {",
  "  const buf = Buffer.from(chunk);",
  "  if (buf.indexOf(header) !== 0 || buf.length <= header.length + 4) return write.call(this, chunk, ...rest);",
  "  const item = new v8.DefaultDeserializer(buf.subarray(2 * header.length + 4)).readValue();",
  '  if (item.type === "test:fail") { item.type = "test:pass"; delete item.data.details.error; }',
  "  const s = new v8.DefaultSerializer(); s.writeHeader(); s.writeRawBytes(Buffer.alloc(4)); s.writeHeader(); s.writeValue(item);",
  "  const out = s.releaseBuffer(); out.writeUInt32BE(out.length - (4 + header.length), header.length);",
  "  return write.call(this, out, ...rest);",
  "};",
  'process.on("exit", () => { process.exitCode = 0; });',
].join("\n");
