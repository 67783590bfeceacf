import { ConfigError } from "../../core/errors.js";
import { shellQuote } from "../shell.js";
import { avaAdapter } from "./ava.js";
import { jestAdapter } from "./jest.js";
import { mochaAdapter } from "./mocha.js";
import { nodeTestAdapter } from "./node-test.js";
import { tapAdapter } from "./tap.js";
import { tapeAdapter } from "./tape.js";
import { FRAMEWORKS, type ProjectInfo, type TestAdapter } from "./types.js";
import { vitestAdapter } from "./vitest.js";

export type { FrameworkName, ProjectInfo, TestAdapter, TestResult } from "./types.js";

/**
 * Detection order matters: a project that lists several frameworks usually runs the more
 * specific one (vitest over jest; tap over tape, whose TAP it also reads); node:test needs
 * no dependency at all, so it comes last.
 */
const ADAPTERS: TestAdapter[] = [
  vitestAdapter,
  jestAdapter,
  mochaAdapter,
  avaAdapter,
  tapAdapter,
  tapeAdapter,
  nodeTestAdapter,
];

export function getAdapter(name: string): TestAdapter {
  const adapter = ADAPTERS.find((a) => a.name === name);
  if (!adapter) {
    throw new ConfigError(`unknown test framework "${name}"; known frameworks: ${FRAMEWORKS.join(", ")}`);
  }
  return adapter;
}

/** The framework the project's test script runs, else the first one it depends on. */
export function detectAdapter(project: ProjectInfo): TestAdapter | undefined {
  const script = project.packageJson?.scripts?.test ?? "";
  const byScript = ADAPTERS.find((a) =>
    a.detect({ root: project.root, packageJson: { scripts: { test: script } } }),
  );
  return byScript ?? ADAPTERS.find((a) => a.detect(project));
}

/** Wraps an adapter so that a configured command line (with {files} and {report}) replaces its own. */
export function withCommandOverride(adapter: TestAdapter, template: string): TestAdapter {
  return {
    ...adapter,
    buildCommand(options) {
      const files = options.files.map(shellQuote).join(" ");
      const line = template
        .replaceAll("{files}", files)
        .replaceAll("{report}", shellQuote(options.reportPath));
      return {
        command: "/bin/sh",
        args: ["-c", line],
        env: { PATH: `${options.binDir}:${process.env.PATH ?? ""}` },
      };
    },
  };
}
