import type { TestOutcome, TestResult } from "../runner/test-adapters/types.js";

export interface RunComparison {
  failToPass: string[];
  passToPass: string[];
  /** Tests whose outcome changed between runs of the same state. */
  flaky: string[];
  /** Tests that failed in every run of both states: already broken here. */
  alwaysFailing: string[];
}

/** outcome of each test id in each run; absent ids are undefined. */
function outcomesById(runs: TestResult[][]): Map<string, Array<TestOutcome | undefined>> {
  const map = new Map<string, Array<TestOutcome | undefined>>();
  runs.forEach((results, index) => {
    for (const result of results) {
      let row = map.get(result.id);
      if (!row) {
        row = new Array<TestOutcome | undefined>(runs.length).fill(undefined);
        map.set(result.id, row);
      }
      row[index] = result.outcome;
    }
  });
  for (const row of map.values()) row.length = runs.length;
  return map;
}

const passed = (o: TestOutcome | undefined) => o === "passed";
const failedOrAbsent = (o: TestOutcome | undefined) => o === undefined || o === "failed";

/**
 * Compares the runs before and after the fix test by test — never by exit code, because real
 * repositories have tests that already fail in a given environment. Pure.
 * F2P: failed or absent in every run before, passed in every run after.
 * P2P: passed in every run of both states. A test that both passes and fails across the runs
 * of one state is flaky and dropped.
 */
export function compareRuns(before: TestResult[][], after: TestResult[][]): RunComparison {
  const beforeById = outcomesById(before);
  const afterById = outcomesById(after);
  const ids = new Set([...beforeById.keys(), ...afterById.keys()]);
  const result: RunComparison = { failToPass: [], passToPass: [], flaky: [], alwaysFailing: [] };
  for (const id of [...ids].sort()) {
    const b = beforeById.get(id) ?? new Array<TestOutcome | undefined>(before.length).fill(undefined);
    const a = afterById.get(id) ?? new Array<TestOutcome | undefined>(after.length).fill(undefined);
    const flipsBefore = b.some(passed) && b.some((o) => !passed(o) && o !== "skipped");
    const flipsAfter = a.some(passed) && a.some((o) => !passed(o) && o !== "skipped");
    if (flipsBefore || flipsAfter) {
      result.flaky.push(id);
    } else if (a.every(passed) && b.every(failedOrAbsent)) {
      result.failToPass.push(id);
    } else if (a.every(passed) && b.every(passed)) {
      result.passToPass.push(id);
    } else if (a.every((o) => o === "failed") && b.every((o) => o === "failed")) {
      result.alwaysFailing.push(id);
    }
  }
  return result;
}
