/**
 * Guards for vitest and jest against source code that rewrites the assertion library. The
 * agent's change is source only (the test side is restored before scoring), but the tests
 * import that source, so at import time it could make failing assertions pass: replace
 * `toBe` through `expect.extend`, write into the shared matcher table or chai's
 * `Assertion.prototype`, add an equality tester that calls everything equal, swap the global
 * `expect` or `it`, or neuter `node:assert`.
 *
 * Each guard runs in the test process after the project's own setup (which may legitimately
 * register matchers and equality testers) and before the test file loads, and locks what
 * source code could abuse: existing properties become read-only and non-configurable (the
 * objects stay extensible, so new matchers can still be added), `expect.extend` refuses to
 * replace a matcher that exists (the same function again is fine), and equality testers can no
 * longer be added. Tampering then throws, or in sloppy code does nothing.
 *
 * - vitest: two setup files around the project's own (`sequence.setupFiles: "list"` keeps the
 *   order), added by a generated config file passed with `--config` that loads the project's
 *   config with vite's `loadConfigFromFile`, the way vitest would have.
 * - jest: its CLI flags for setup files replace the project's, so instead a `--require`
 *   module (through NODE_OPTIONS, which jest's workers inherit) wraps jest-circus's test
 *   runner and locks the test environment's globals when the runner loads the test file,
 *   after the project's `setupFilesAfterEnv`.
 *
 * These close the direct routes. Same-process code can still reach the runner's own state,
 * the JavaScript intrinsics the matchers use, or the report channel; see
 * test/runner/cheating/source-tampering.test.ts for what stays open.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Plain JavaScript shared by every generated guard (mocha's reporter uses it too). */
export const LOCK_HELPERS = String.raw`
function lockProperty(object, key) {
  try {
    const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
    if (descriptor === undefined) return;
    // The whole descriptor: a vm context's global (jest's test environment) takes a partial
    // one as "value: undefined".
    const locked = "value" in descriptor ? { ...descriptor, writable: false } : { ...descriptor };
    Reflect.defineProperty(object, key, { ...locked, configurable: false });
  } catch {
    // A module namespace's binding not yet initialized, a proxy that refuses: leave it.
  }
}

function isObject(value) {
  return value !== null && (typeof value === "object" || typeof value === "function");
}

function lockProperties(object, keys) {
  if (!isObject(object)) return;
  for (const key of keys === undefined ? Reflect.ownKeys(object) : keys) lockProperty(object, key);
}

/** it, it.only, it.only.each, ...: the function and the functions hanging off it. */
function lockTree(value, depth = 3, seen = new Set()) {
  if (!isObject(value) || seen.has(value) || depth === 0) return;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
    if (descriptor !== undefined && typeof descriptor.value === "function") {
      lockTree(descriptor.value, depth - 1, seen);
    }
  }
  lockProperties(value);
}

/** chai's assertions: Assertion.prototype (vitest's matchers live there too), assert, util, config.deepEqual. */
function lockChai(chai) {
  if (!isObject(chai) || typeof chai.Assertion !== "function") return;
  const prototype = chai.Assertion.prototype;
  // Chainable methods (include, length, ...) keep their implementation in this table.
  const chainable = prototype.__methods;
  if (isObject(chainable)) {
    for (const key of Reflect.ownKeys(chainable)) {
      if (isObject(chainable[key])) Object.freeze(chainable[key]);
    }
  }
  lockProperties(prototype);
  lockProperties(chai);
  lockProperties(chai.util);
  lockProperties(chai.assert);
  lockProperties(chai.expect);
  if (isObject(chai.config)) lockProperty(chai.config, "deepEqual");
}

function replaceMessage(name) {
  return "repogym: the matcher \"" + String(name) + "\" is already defined; once the test files load, " +
    "expect.extend may add matchers but not replace them (registering the same function again is fine)";
}

const EQUALITY_TESTERS_MESSAGE =
  "repogym: expect.addEqualityTesters is only allowed in setup files, before the test files load";
`;

// ---------------------------------------------------------------------------------------------
// vitest

const VITEST_GUARD_KEY = "repogym.vitest-guard";

/** First setup file: freezes node:assert and puts a checking `extend` in place. */
const VITEST_PRE = `import assert from "node:assert";
import strict from "node:assert/strict";
import * as vitest from "vitest";
${LOCK_HELPERS}
Object.freeze(assert);
Object.freeze(strict);

const KEY = Symbol.for(${JSON.stringify(VITEST_GUARD_KEY)});
if (!Object.hasOwn(globalThis, KEY)) install(vitest);

function install(vitest) {
  const { chai, expect, it, test, describe, suite } = vitest;
  const MATCHERS = Symbol.for("$$jest-matchers-object");
  const GLOBAL_EXPECT = Symbol.for("expect-global");
  const ASYMMETRIC = Symbol.for("asymmetric-matchers-object");
  const GLOBAL_APIS = ["suite", "test", "describe", "it", "chai", "expect", "assert", "expectTypeOf",
    "assertType", "vitest", "vi", "beforeAll", "afterAll", "beforeEach", "afterEach", "onTestFinished",
    "onTestFailed", "aroundEach", "aroundAll"];
  /** Name -> the function last registered under it through expect.extend. */
  const registered = new Map();
  /** Matchers that existed when the guard locked, and those added since. */
  const lockedNames = new Set();
  let locked = false;
  const globalExpect = () => globalThis[GLOBAL_EXPECT] ?? expect;
  // The same matcher again: the same function, or (setup files run again before each test
  // file when vitest does not isolate them) the same code re-evaluated.
  const isSameMatcher = (previous, matcher) =>
    previous !== undefined &&
    (previous === matcher ||
      (typeof previous === "function" && typeof matcher === "function" && String(previous) === String(matcher)));

  // Every expect (the global one and each test's own) extends through chai.expect.extend.
  const originalExtend = chai?.expect?.extend;
  if (typeof originalExtend === "function") {
    chai.expect.extend = function repogymExtend(target, matchers) {
      const fresh = {};
      for (const [name, matcher] of Object.entries(matchers ?? {})) {
        if (isSameMatcher(registered.get(name), matcher)) continue;
        if (locked && (lockedNames.has(name) || name in chai.Assertion.prototype)) {
          throw new TypeError(replaceMessage(name));
        }
        fresh[name] = matcher;
      }
      const names = Object.keys(fresh);
      if (names.length === 0) return undefined;
      const result = originalExtend.call(this, target, fresh);
      for (const name of names) registered.set(name, fresh[name]);
      if (locked) {
        for (const name of names) lockedNames.add(name);
        lockProperties(chai.Assertion.prototype, names);
        lockProperties(globalThis[MATCHERS]?.matchers, names);
        lockProperties(globalExpect(), names);
        lockProperties(globalExpect()?.not, names);
        lockProperties(globalThis[ASYMMETRIC], names);
      }
      return result;
    };
    lockProperty(chai.expect, "extend");
    // vitest extends every expect it creates with its own extra matchers (toSatisfy, ...):
    // one expect made now, through the wrapper, makes those known as already registered.
    try {
      vitest.createExpect?.();
    } catch {
      // An older vitest: its extra matchers stay unknown, and are never registered again.
    }
  }

  // Equality testers go through the global expect; once locked, only the same ones again (a
  // setup file run again) are accepted, as a no-op.
  const testerCode = new Set();
  const current = globalExpect();
  const originalAddTesters = current?.addEqualityTesters;
  if (typeof originalAddTesters === "function") {
    current.addEqualityTesters = function repogymAddEqualityTesters(testers) {
      const code = Array.isArray(testers) ? testers.map(String) : [];
      if (locked) {
        if (code.length > 0 && code.every((text) => testerCode.has(text))) return undefined;
        throw new TypeError(EQUALITY_TESTERS_MESSAGE);
      }
      const result = originalAddTesters.apply(this, arguments);
      for (const text of code) testerCode.add(text);
      return result;
    };
  }

  function lock(projectChai) {
    if (locked) return;
    locked = true;
    const registry = globalThis[MATCHERS];
    for (const name of Reflect.ownKeys(registry?.matchers ?? {})) lockedNames.add(name);
    for (const name of Reflect.ownKeys(chai?.Assertion?.prototype ?? {})) lockedNames.add(name);
    lockProperties(registry?.matchers);
    if (Array.isArray(registry?.customEqualityTesters)) Object.freeze(registry.customEqualityTesters);
    lockProperty(globalThis, MATCHERS);
    lockChai(chai);
    const other = isObject(projectChai?.Assertion) ? projectChai : projectChai?.default;
    if (other !== chai) lockChai(other);
    lockProperties(globalExpect());
    lockProperties(globalExpect()?.not);
    lockProperties(globalThis[ASYMMETRIC]);
    for (const api of [it, test, describe, suite]) lockTree(api);
    for (const name of GLOBAL_APIS) if (Object.hasOwn(globalThis, name)) lockProperty(globalThis, name);
  }

  Object.defineProperty(globalThis, KEY, { value: Object.freeze({ lock }) });
}
`;

/** Last setup file: locks everything once the project's setup files have run. */
const VITEST_POST = `let projectChai;
try {
  // The project's own chai, when it has one (vitest's comes with the guard).
  projectChai = await import("chai");
} catch {
  projectChai = undefined;
}
globalThis[Symbol.for(${JSON.stringify(VITEST_GUARD_KEY)})]?.lock(projectChai);
`;

/**
 * The config vitest gets with `--config`: the project's own, found and loaded the way vitest
 * would (vitest.config.* then vite.config.*, walking up from the root), with the guard's setup
 * files around the project's. Inline projects get them too; projects in other config files
 * (and browser mode) run without them.
 */
const VITEST_CONFIG = `import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const GUARD = __GUARD__;
const CONFIG_FILES = ["vitest.config", "vite.config"].flatMap((name) =>
  [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"].map((extension) => name + extension),
);
const WORKSPACE_FILES = ["ts", "mts", "cts", "js", "mjs", "cjs", "json"].map((extension) => "vitest.workspace." + extension);

function projectConfigFile(root) {
  for (let dir = root; ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const file = join(dir, name);
      if (existsSync(file)) return file;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The package.json of the vitest running this config: its script's, else the project's. */
function vitestPackageFile(root) {
  try {
    for (let dir = dirname(realpathSync(process.argv[1])); dirname(dir) !== dir; dir = dirname(dir)) {
      const file = join(dir, "package.json");
      if (existsSync(file) && JSON.parse(readFileSync(file, "utf8")).name === "vitest") return file;
    }
  } catch {
    // No script path to follow: ask the project.
  }
  return createRequire(join(root, "package.json")).resolve("vitest/package.json");
}

const list = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

function guarded(test) {
  // Browser mode runs the setup files in a browser, which has no node:assert.
  if (test?.browser?.enabled) return test;
  return {
    ...test,
    setupFiles: [GUARD.pre, ...list(test?.setupFiles), GUARD.post],
    sequence: { ...test?.sequence, setupFiles: "list" },
  };
}

export default async function repogymVitestConfig(env) {
  const root = process.cwd();
  // The vitest that runs this config, and the vite it runs on.
  const vitestPackage = vitestPackageFile(root);
  const fromVitest = createRequire(vitestPackage);
  const vite = await import(pathToFileURL(fromVitest.resolve("vite")).href);
  const major = Number(String(fromVitest(vitestPackage).version).split(".")[0]);
  const file = projectConfigFile(root);
  const loaded = file === undefined ? null : await vite.loadConfigFromFile(env, file, root);
  const config = loaded?.config ?? {};
  const test = { ...config.test };
  // vitest before 4 looks for its workspace file next to the config file, which is now this
  // one: point it at the project's.
  if (major < 4 && test.workspace === undefined) {
    const dir = file === undefined ? root : dirname(file);
    const workspace = WORKSPACE_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
    if (workspace !== undefined) test.workspace = workspace;
  }
  if (!Array.isArray(test.projects)) return { ...config, test: guarded(test) };
  const projects = test.projects.map((project) =>
    project !== null && typeof project === "object" ? { ...project, test: guarded(project.test) } : project,
  );
  return { ...config, test: { ...test, projects } };
}
`;

/**
 * Writes the vitest guard next to the report (never into the project) and returns the config
 * file to pass with `--config`.
 */
export function writeVitestGuard(reportPath: string): string {
  const dir = dirname(reportPath);
  const pre = join(dir, "repogym-vitest-guard-pre.mjs");
  const post = join(dir, "repogym-vitest-guard-post.mjs");
  const config = join(dir, "repogym-vitest.config.mjs");
  writeFileSync(pre, VITEST_PRE);
  writeFileSync(post, VITEST_POST);
  writeFileSync(
    config,
    VITEST_CONFIG.replace("__GUARD__", () => JSON.stringify({ pre, post })),
  );
  return config;
}

// ---------------------------------------------------------------------------------------------
// jest

/** Loaded with `--require` in jest's processes; does nothing until jest-circus's runner loads. */
const JEST_GUARD = String.raw`"use strict";
const Module = require("node:module");
${LOCK_HELPERS}
const GUARD = Symbol.for("repogym.jest-guard");
const RUNNER = /[\\/]jest-circus[\\/]build[\\/]runner\.js$/;
const JEST_GLOBALS = ["expect", "describe", "fdescribe", "xdescribe", "it", "fit", "xit", "test", "xtest",
  "beforeAll", "beforeEach", "afterAll", "afterEach"];

if (!Object.hasOwn(globalThis, GUARD)) {
  Object.defineProperty(globalThis, GUARD, { value: true });
  const load = Module._load;
  Module._load = function repogymLoad(request, parent, isMain) {
    const exports = load.apply(this, arguments);
    if (typeof request === "string" && request.includes("jest-circus")) guardRunner(request, parent, exports);
    return exports;
  };
}

/** Wraps jest-circus's test runner (the documented testRunner interface). */
function guardRunner(request, parent, exports) {
  let file;
  try {
    file = Module._resolveFilename(request, parent);
  } catch {
    return;
  }
  if (!RUNNER.test(file) || !isObject(exports) || typeof exports.default !== "function") return;
  const run = exports.default;
  if (run[GUARD]) return;
  const guarded = function repogymRunner(globalConfig, config, environment, runtime, testPath, ...rest) {
    lockBeforeTestFile(environment, runtime, testPath);
    return run.call(this, globalConfig, config, environment, runtime, testPath, ...rest);
  };
  Object.defineProperty(guarded, GUARD, { value: true });
  exports.default = guarded;
}

/** The runner loads setupFilesAfterEnv, then the test file: lock in between. */
function lockBeforeTestFile(environment, runtime, testPath) {
  if (!isObject(environment) || !isObject(runtime) || typeof runtime.requireModule !== "function") return;
  const requireModule = runtime.requireModule;
  const importModule = runtime.unstable_importModule;
  let locked = false;
  const lockFor = (from, moduleName) => {
    if (locked || moduleName !== undefined || from !== testPath) return;
    locked = true;
    // Out of the way again: the test file's own requires go straight to jest.
    runtime.requireModule = requireModule;
    if (typeof importModule === "function") runtime.unstable_importModule = importModule;
    lockJest(environment.global, runtime, testPath);
  };
  runtime.requireModule = function (from, moduleName, ...rest) {
    lockFor(from, moduleName);
    return requireModule.call(this, from, moduleName, ...rest);
  };
  if (typeof importModule === "function") {
    runtime.unstable_importModule = function (from, moduleName, ...rest) {
      lockFor(from, moduleName);
      return importModule.call(this, from, moduleName, ...rest);
    };
  }
}

function lockJest(global, runtime, testPath) {
  // The test environment's require("assert") is this process's module.
  Object.freeze(require("node:assert"));
  Object.freeze(require("node:assert/strict"));
  if (!isObject(global)) return;
  // The table every copy of expect in this environment reads its matchers from.
  const registry = global[Symbol.for("$$jest-matchers-object")];
  const matchers = isObject(registry) ? registry.matchers : undefined;
  const expect = global.expect;
  if (typeof expect === "function" && typeof expect.extend === "function" && isObject(matchers)) {
    const extend = expect.extend;
    expect.extend = function repogymExtend(newMatchers) {
      const fresh = {};
      for (const [name, matcher] of Object.entries(newMatchers ?? {})) {
        if (matchers[name] === matcher) continue;
        if (Object.hasOwn(matchers, name)) throw new TypeError(replaceMessage(name));
        fresh[name] = matcher;
      }
      const names = Object.keys(fresh);
      if (names.length === 0) return undefined;
      const result = extend.call(this, fresh);
      lockProperties(matchers, names);
      lockProperties(expect, names);
      lockProperties(expect.not, names);
      return result;
    };
    expect.addEqualityTesters = () => {
      throw new TypeError(EQUALITY_TESTERS_MESSAGE);
    };
  }
  lockProperties(matchers);
  if (isObject(registry) && Array.isArray(registry.customEqualityTesters)) {
    Object.freeze(registry.customEqualityTesters);
  }
  lockProperties(registry, ["matchers", "customEqualityTesters", "state"]);
  lockProperties(expect);
  lockProperties(expect?.not);
  for (const name of JEST_GLOBALS) {
    if (!Object.hasOwn(global, name)) continue;
    if (name !== "expect") lockTree(global[name]);
    lockProperty(global, name);
  }
  // chai in the test file's module registry, when the project has a CommonJS one.
  try {
    lockChai(runtime.requireModule(testPath, "chai"));
  } catch {
    // No chai, or one jest cannot require: nothing of it to lock.
  }
}
`;

/** Writes the jest guard next to the report and returns the module to `--require`. */
export function writeJestGuard(reportPath: string): string {
  const path = join(dirname(reportPath), "repogym-jest-guard.cjs");
  writeFileSync(path, JEST_GUARD);
  return path;
}
