import { join } from "node:path";
import { writeJestGuard } from "./assertion-guard.js";
import { detectPackage } from "./common.js";
import { parseJestStyleReport } from "./jest-report.js";
import type { TestAdapter } from "./types.js";

export const jestAdapter: TestAdapter = {
  name: "jest",

  detect(project) {
    return detectPackage(project, "jest");
  },

  buildCommand({ files, reportPath, binDir }) {
    return {
      command: join(binDir, "jest"),
      args: [
        "--ci",
        "--json",
        `--outputFile=${reportPath}`,
        "--watchAll=false",
        // Coverage thresholds would only add noise and time to a run that wants outcomes.
        "--coverage=false",
        // A config's `bail` would stop at the first failing file and leave the later ones unreported.
        "--bail=0",
        // Exact paths: jest's positional arguments are otherwise regular expressions.
        "--runTestsByPath",
        "--",
        ...files,
      ],
      // Locks the assertion library before each test file loads, after the project's setup
      // (see assertion-guard.ts); jest's worker processes inherit it.
      env: { NODE_OPTIONS: `--require ${JSON.stringify(writeJestGuard(reportPath))}` },
    };
  },

  parseReport(input) {
    return parseJestStyleReport("jest", input);
  },
};
