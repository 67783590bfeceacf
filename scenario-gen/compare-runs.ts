import type { TestOutcome, TestResult } from "../runner/test-adapters/types.js";

export interface RunComparison {
  failToPass: string[];
  passToPass: string[];
  /** Tests whose outcome changed between runs of the same state. */
  flaky: string[];
  /** Tests that failed in every run of both states: already broken here. */
  alwaysFailing: string[];
  /**
   * Tests that pass after the fix but were absent before without their file failing to load
   * (the runner stopped early, or never reached them): not proven to fail, so not F2P.
   */
  notRunBefore: string[];
  /** Tests that passed before and fail after: the gold patch breaks them. */
  passToFail: string[];
}

type Row = Array<TestOutcome | "absent" | "load-failed">;

/**
 * Each test's outcome in each run. A test missing from a run is "load-failed" when its file
 * reported a file-level failure in that run (it could not even be collected: the usual shape
 * of a test for code that does not exist yet), else "absent".
 */
function outcomesById(
  runs: TestResult[][],
  ids: Set<string>,
  fileOf: (id: string) => string | undefined,
): Map<string, Row> {
  const map = new Map<string, Row>();
  for (const id of ids) map.set(id, []);
  for (const results of runs) {
    const byId = new Map(results.map((r) => [r.id, r.outcome]));
    for (const id of ids) {
      const own = byId.get(id);
      if (own !== undefined) {
        map.get(id)!.push(own);
        continue;
      }
      const file = fileOf(id);
      map.get(id)!.push(file !== undefined && byId.get(file) === "failed" ? "load-failed" : "absent");
    }
  }
  return map;
}

const passed = (o: Row[number]) => o === "passed";
const failedBefore = (o: Row[number]) => o === "failed" || o === "load-failed";
const flips = (row: Row) => row.some(passed) && row.some((o) => !passed(o) && o !== "skipped");

/**
 * Compares the runs before and after the fix test by test — never by exit code, because real
 * repositories have tests that already fail in a given environment. Pure.
 * F2P: failed (or could not load) in every run before, passed in every run after.
 * P2P: passed in every run of both states. A test that both passes and fails across the runs
 * of one state is flaky and dropped. `files` are the test files that were run: a test id
 * belongs to the file it starts with.
 */
export function compareRuns(before: TestResult[][], after: TestResult[][], files: string[]): RunComparison {
  const fileOf = (id: string) => files.find((f) => id.startsWith(`${f} > `));
  const testIds = new Set(
    [...before, ...after].flatMap((results) => results.map((r) => r.id)).filter((id) => !files.includes(id)),
  );
  const beforeById = outcomesById(before, testIds, fileOf);
  const afterById = outcomesById(after, testIds, fileOf);
  const result: RunComparison = {
    failToPass: [],
    passToPass: [],
    flaky: [],
    alwaysFailing: [],
    notRunBefore: [],
    passToFail: [],
  };
  for (const id of [...testIds].sort()) {
    const b = beforeById.get(id)!;
    const a = afterById.get(id)!;
    if (flips(b) || flips(a)) {
      result.flaky.push(id);
    } else if (a.every(passed) && b.every(failedBefore)) {
      result.failToPass.push(id);
    } else if (a.every(passed) && b.every(passed)) {
      result.passToPass.push(id);
    } else if (a.every(passed) && b.some((o) => o === "absent")) {
      result.notRunBefore.push(id);
    } else if (b.every(passed) && a.every((o) => o === "failed")) {
      result.passToFail.push(id);
    } else if (a.every((o) => o === "failed") && b.every((o) => o === "failed")) {
      result.alwaysFailing.push(id);
    }
  }
  return result;
}
