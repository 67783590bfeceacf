import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, defaultConfig } from "../core/config.js";
import { describeError } from "../core/errors.js";
import { Git } from "../core/git.js";
import { runPool } from "../core/pool.js";
import type { Scenario } from "../core/scenario.js";
import { DependencyCache } from "../runner/dependency-cache.js";
import { proveChange } from "./prove.js";

export type ScenarioVerdict =
  | { instanceId: string; ok: true; runs: number; durationMs: number }
  | { instanceId: string; ok: false; problems: string[]; durationMs: number };

export interface ValidateSuiteOptions {
  repo: string;
  scenarios: Scenario[];
  cacheDir: string;
  runs?: number;
  jobs?: number;
  config?: Config;
  onVerdict?: (verdict: ScenarioVerdict, index: number, total: number) => void;
  /** Stops taking new scenarios; verdicts cut short by the interrupt are not reported. */
  signal?: AbortSignal;
}

/**
 * Re-proves scenarios from their own patches: the gold patch must pass every F2P and P2P
 * test in every run, and the unfixed state must fail every F2P test in every run.
 */
export async function validateSuite(options: ValidateSuiteOptions): Promise<ScenarioVerdict[]> {
  const config = options.config ?? defaultConfig();
  const runs = options.runs ?? config.validation.runs;
  const workRoot = await mkdtemp(join(tmpdir(), "repogym-validate-"));
  const cache = new DependencyCache({ cacheDir: options.cacheDir, timeoutMs: config.timeouts.install_ms });
  const verdicts: ScenarioVerdict[] = new Array(options.scenarios.length);
  const work = async (scenario: Scenario, index: number): Promise<undefined> => {
    verdicts[index] = await validateScenario(scenario, {
      ...options,
      config,
      runs,
      cache,
      workDir: join(workRoot, String(index)),
    });
    if (options.signal?.aborted) return;
    options.onVerdict?.(verdicts[index]!, index, options.scenarios.length);
  };
  try {
    await runPool(options.scenarios, options.jobs ?? 1, work, options.signal);
  } finally {
    await rm(workRoot, { recursive: true, force: true });
  }
  return verdicts;
}

async function validateScenario(
  scenario: Scenario,
  options: { repo: string; config: Config; runs: number; cache: DependencyCache; workDir: string },
): Promise<ScenarioVerdict> {
  const started = performance.now();
  const instanceId = scenario.instance_id;
  try {
    if (!(await hasCommit(options.repo, scenario.base_commit))) {
      return {
        instanceId,
        ok: false,
        problems: [
          `base commit ${scenario.base_commit.slice(0, 10)} is not in ${options.repo}; pass --repo with the repository this suite was mined from`,
        ],
        durationMs: performance.now() - started,
      };
    }
    const proof = await proveChange({
      repo: options.repo,
      baseCommit: scenario.base_commit,
      testPatch: scenario.test_patch,
      patch: scenario.patch,
      testFiles: scenario.environment.test_files,
      framework: scenario.environment.framework,
      config: {
        ...options.config,
        environment: { ...options.config.environment, setup: scenario.environment.setup },
      },
      cache: options.cache,
      runs: options.runs,
      workDir: options.workDir,
      earlyExit: false,
    });
    const durationMs = performance.now() - started;
    if (!proof.ok)
      return { instanceId, ok: false, problems: [`${proof.reason}: ${proof.detail}`], durationMs };
    const f2p = new Set(proof.comparison.failToPass);
    const p2p = new Set(proof.comparison.passToPass);
    const problems = [
      ...scenario.FAIL_TO_PASS.filter((id) => !f2p.has(id)).map(
        (id) => `FAIL_TO_PASS test no longer fails before and passes after: ${id}`,
      ),
      ...scenario.PASS_TO_PASS.filter((id) => !p2p.has(id)).map(
        (id) => `PASS_TO_PASS test no longer passes in both states: ${id}`,
      ),
    ];
    return problems.length === 0
      ? { instanceId, ok: true, runs: proof.runs, durationMs }
      : { instanceId, ok: false, problems, durationMs };
  } catch (error) {
    return {
      instanceId,
      ok: false,
      problems: [describeError(error)],
      durationMs: performance.now() - started,
    };
  }
}

async function hasCommit(repo: string, sha: string): Promise<boolean> {
  try {
    await new Git(repo).run(["cat-file", "-e", `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}
