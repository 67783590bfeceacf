import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { LOCK_HELPERS } from "./assertion-guard.js";
import {
  detectPackage,
  failedResult,
  projectRelative,
  readJsonReport,
  reportShape,
  requestedFiles,
  testId,
  uniqueIds,
} from "./common.js";
import type { ParseReportInput, TestAdapter, TestOutcome, TestResult } from "./types.js";

/**
 * Mocha's built-in JSON reporter flattens the describe path into one space-joined string, so
 * two tests named "works" in describes "a b" / "a" and "b" cannot be told apart. This reporter
 * writes each test's `titlePath()` instead. It is also loaded with `--require`, before the
 * test files, to make two fixes to Mocha's file loading:
 *
 * - one test file that fails to import (syntax error, missing export: the usual "before fix"
 *   state) would abort the whole run; each file is loaded on its own and a failure is recorded;
 * - positional files are added to a config file's `spec`, so the project's other test files
 *   would run too; only the requested files (and `--file` setup files) are kept.
 *
 * Being first, it also guards the tests from the source they import: node's assertion modules
 * are frozen, and the interface's globals (`it`, `describe`, hooks) can be set only by Mocha,
 * so a source file cannot wrap `it` into one that swallows failures.
 *
 * It is generated next to the report for every run, with the report path and the requested
 * files written into it: nothing needs shipping alongside the compiled adapter, and paths with
 * commas or `=` (which `--reporter-option` would split) are no problem.
 */
const REPORTER_SOURCE = String.raw`"use strict";
const fs = require("node:fs");
const path = require("node:path");
__LOCK_HELPERS__
// Loaded (--require) before any project code: source under test cannot rewrite node's
// assertions into no-ops.
Object.freeze(require("node:assert"));
Object.freeze(require("node:assert/strict"));

const CONFIG = __CONFIG__;
const LOAD_ERRORS = Symbol.for("repogym.mocha.loadErrors");
const PATCHED = Symbol.for("repogym.mocha.patched");
if (!globalThis[LOAD_ERRORS]) globalThis[LOAD_ERRORS] = [];

function describeError(error) {
  if (error && typeof error === "object" && typeof error.message === "string") {
    const name = typeof error.name === "string" && error.name ? error.name : "Error";
    return error.message ? name + ": " + error.message : name;
  }
  return String(error);
}

// The Mocha class the running CLI uses, whichever copy of mocha that is.
function findMocha() {
  for (const id of Object.keys(require.cache)) {
    if (/[\\/]mocha[\\/]lib[\\/]mocha\.c?js$/.test(id)) return require.cache[id].exports;
  }
  return undefined;
}

// Requested files and --file setup files, each once: a config's spec glob lists them again.
function selectFiles(files, options) {
  const wanted = new Set(CONFIG.files.map((file) => path.resolve(file)));
  const setup = new Set([].concat((options && options.file) || []).map((file) => path.resolve(file)));
  const seen = new Set();
  return files.filter((file) => {
    const absolute = path.resolve(file);
    if (seen.has(absolute) || !(wanted.has(absolute) || setup.has(absolute))) return false;
    seen.add(absolute);
    return true;
  });
}

// The interface's globals (it, describe, hooks): Mocha assigns them before each file loads;
// source code that file requires must not wrap them (a wrapped it could swallow failures).
const INTERFACE_GLOBALS = ["describe", "context", "xdescribe", "xcontext", "it", "specify", "xit", "xspecify",
  "before", "after", "beforeEach", "afterEach", "run", "suite", "test", "setup", "teardown", "suiteSetup",
  "suiteTeardown"];
const INTERFACE_GUARDED = Symbol.for("repogym.mocha.interface");

function guardInterface(suite) {
  if (!suite || typeof suite.prependListener !== "function" || suite[INTERFACE_GUARDED]) return;
  suite[INTERFACE_GUARDED] = true;
  let assigning = false;
  // Around the interface's own "pre-require" listener: only it may assign them.
  suite.prependListener("pre-require", () => {
    assigning = true;
  });
  suite.on("pre-require", (context) => {
    assigning = false;
    if (!isObject(context)) return;
    for (const name of INTERFACE_GLOBALS) {
      const descriptor = Object.getOwnPropertyDescriptor(context, name);
      if (descriptor === undefined) continue;
      if ("value" in descriptor && descriptor.configurable) {
        let value = descriptor.value;
        Object.defineProperty(context, name, {
          configurable: false,
          enumerable: descriptor.enumerable,
          get: () => value,
          set: (next) => {
            if (!assigning) throw new TypeError("repogym: the test interface's " + name + " cannot be replaced");
            value = next;
          },
        });
      }
      lockTree(context[name]);
    }
  });
}

function patchLoader(Mocha) {
  if (!Mocha || !Mocha.prototype || typeof Mocha.prototype.loadFilesAsync !== "function") return;
  if (Mocha.prototype[PATCHED]) return;
  Mocha.prototype[PATCHED] = true;
  const original = Mocha.prototype.loadFilesAsync;
  Mocha.prototype.loadFilesAsync = async function (...args) {
    guardInterface(this.suite);
    const selected = selectFiles(this.files, this.options);
    try {
      for (const file of selected) {
        this.files = [file];
        try {
          await original.apply(this, args);
        } catch (error) {
          globalThis[LOAD_ERRORS].push({ file: path.resolve(file), error: describeError(error) });
        }
      }
    } finally {
      this.files = selected;
    }
  };
}

patchLoader(findMocha());

function fileOf(runnable) {
  if (runnable.file) return path.resolve(runnable.file);
  if (runnable.parent && runnable.parent.file) return path.resolve(runnable.parent.file);
  return null;
}

function titlePathOf(runnable) {
  if (runnable.type === "hook" && runnable.parent && typeof runnable.parent.titlePath === "function") {
    return runnable.parent.titlePath().concat([runnable.originalTitle || runnable.title]);
  }
  return typeof runnable.titlePath === "function" ? runnable.titlePath() : [runnable.title];
}

function RepogymReporter(runner) {
  const results = new Map();
  const record = (runnable, state, error) => {
    const entry = { file: fileOf(runnable), titlePath: titlePathOf(runnable), state };
    if (error !== undefined) entry.error = describeError(error);
    results.set(runnable, entry);
    const line = state + ": " + entry.titlePath.join(" > ");
    process.stdout.write(line + (entry.error ? "\n    " + entry.error.split("\n")[0] : "") + "\n");
  };
  runner.on("pass", (test) => record(test, "passed"));
  runner.on("pending", (test) => record(test, "skipped"));
  runner.on("fail", (runnable, error) => record(runnable, "failed", error));
  runner.once("end", () => {
    const report = {
      reporter: "repogym-mocha",
      results: Array.from(results.values()),
      loadErrors: globalThis[LOAD_ERRORS],
    };
    fs.writeFileSync(CONFIG.reportPath, JSON.stringify(report));
  });
}

module.exports = RepogymReporter;
`;

const REPORTER_FILE = "repogym-mocha-reporter.cjs";

function writeReporter(reportPath: string, files: readonly string[]): string {
  const path = join(dirname(reportPath), REPORTER_FILE);
  const config = JSON.stringify({ reportPath, files });
  writeFileSync(
    path,
    REPORTER_SOURCE.replace("__LOCK_HELPERS__", () => LOCK_HELPERS).replace("__CONFIG__", () => config),
  );
  return path;
}

const OwnReportSchema = z.object({
  reporter: z.literal("repogym-mocha"),
  results: z.array(
    z.object({
      file: z.string().nullable(),
      titlePath: z.array(z.string()),
      state: z.enum(["passed", "failed", "skipped"]),
      error: z.string().optional(),
    }),
  ),
  loadErrors: z.array(z.object({ file: z.string(), error: z.string() })),
});

/** Mocha's built-in `json` reporter, for a configured command that uses it instead. */
const BuiltinReportSchema = z.object({
  stats: z.object({}).loose(),
  tests: z.array(
    z.object({
      fullTitle: z.string(),
      file: z.string().nullish(),
      err: z.object({ message: z.string().optional(), name: z.string().optional() }).loose().nullish(),
    }),
  ),
  pending: z.array(z.object({ fullTitle: z.string(), file: z.string().nullish() })),
});

type Entry = { file: string | null; titles: string[]; outcome: TestOutcome; error?: string };

function ownEntries(report: z.output<typeof OwnReportSchema>): Entry[] {
  const loadErrors = report.loadErrors.map(
    (load): Entry => ({ file: load.file, titles: [], outcome: "failed", error: load.error }),
  );
  const tests = report.results.map(
    (test): Entry => ({ file: test.file, titles: test.titlePath, outcome: test.state, error: test.error }),
  );
  return [...loadErrors, ...tests];
}

/** The built-in reporter only has `fullTitle`: the describe path stays joined with spaces. */
function builtinEntries(report: z.output<typeof BuiltinReportSchema>): Entry[] {
  const key = (test: { fullTitle: string; file?: string | null | undefined }) =>
    `${test.file}\0${test.fullTitle}`;
  const pending = new Set(report.pending.map(key));
  return report.tests.map((test): Entry => {
    const file = test.file ?? null;
    const failed = test.err !== undefined && test.err !== null && Object.keys(test.err).length > 0;
    if (failed) {
      const error = [test.err?.name, test.err?.message].filter(Boolean).join(": ");
      return { file, titles: [test.fullTitle], outcome: "failed", error };
    }
    return { file, titles: [test.fullTitle], outcome: pending.has(key(test)) ? "skipped" : "passed" };
  });
}

function readEntries(input: ParseReportInput): Entry[] {
  const data = readJsonReport("mocha", input);
  const own = OwnReportSchema.safeParse(data);
  if (own.success) return ownEntries(own.data);
  if (typeof data === "object" && data !== null && "stats" in data) {
    return builtinEntries(reportShape("mocha", BuiltinReportSchema, data));
  }
  // Report the problems against the format this adapter writes itself.
  return ownEntries(reportShape("mocha", OwnReportSchema, data));
}

export const mochaAdapter: TestAdapter = {
  name: "mocha",

  detect(project) {
    return detectPackage(project, "mocha", ["mocha", "_mocha"]);
  },

  buildCommand({ files, reportPath, binDir }) {
    const reporter = writeReporter(reportPath, files);
    return {
      command: join(binDir, "mocha"),
      args: [
        "--require",
        reporter,
        "--reporter",
        reporter,
        // Parallel workers load files out of reach of the loader fix above.
        "--no-parallel",
        "--no-watch",
        "--no-color",
        // A leftover timer or socket must not keep a finished run alive until the timeout.
        "--exit",
        // A config's `bail` would stop at the first failure and leave the later tests unreported.
        "--no-bail",
        "--",
        ...files,
      ],
    };
  },

  parseReport(input) {
    const wanted = requestedFiles(input.files);
    const results: TestResult[] = [];
    for (const entry of readEntries(input)) {
      const file = entry.file === null ? undefined : projectRelative(input.root, entry.file);
      // Tests from other files (a config's `spec`, `--file` setup files) are not asked for.
      if (file !== undefined && !wanted.has(file)) continue;
      // Root hooks belong to no file; they affect every test, so they stay in.
      const id = testId(file === undefined ? entry.titles : [file, ...entry.titles]);
      results.push(
        entry.outcome === "failed" ? failedResult(id, entry.error) : { id, outcome: entry.outcome },
      );
    }
    return uniqueIds(results);
  },
};
