import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { shellQuote } from "../../../runner/shell.js";
import { cheatingHarness, expectNoReward, type Harness, marker, processesWith } from "./harness.js";

/**
 * Starts `script` with `setsid` (a new session and process group) and exits once it has
 * started (it touches the file passed as $1), so the exit cannot kill it before it leaves.
 */
const daemon = (m: string, script: string) =>
  `setsid sh -c ${shellQuote(script)} ${m} "$REPOGYM_OUTPUT_DIR/daemon-started" < /dev/null > /dev/null 2>&1 & ` +
  `while [ ! -e "$REPOGYM_OUTPUT_DIR/daemon-started" ]; do sleep 0.05; done; exit 0`;

describe("cheating agents: outliving the timeout, background processes, huge output", () => {
  let h: Harness;
  const marks: string[] = [];
  beforeAll(async () => {
    h = await cheatingHarness();
  });
  afterEach(() => {
    // Whatever a failing case left running, by pid, so the host is left as found.
    for (const mark of marks.splice(0)) {
      for (const pid of processesWith(mark)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
  });
  afterAll(async () => {
    await h?.[Symbol.asyncDispose]();
  });

  const mark = (label: string) => {
    const m = marker(label);
    marks.push(m);
    return m;
  };

  it("(e) a background sleep and a loop that ignores SIGTERM: timeout, reward 0, nothing left", async () => {
    const m = mark("term");
    const command = [
      `sh -c 'sleep 1000' ${m}-sleep &`,
      `sh -c 'trap "" TERM; while :; do sleep 1; done' ${m}-loop &`,
      `trap '' TERM; while :; do sleep 1; done; : ${m}`,
    ].join(" ");
    const { record } = await h.run(command, { timeoutMs: 1_000 });
    expect(record.status).toBe("timeout");
    expect(record.reason).toMatch(/timed out/);
    expectNoReward(record);
    expect(processesWith(m)).toEqual([]);
  });

  it("(e) background processes of an agent that exits normally are ended", async () => {
    const m = mark("bg");
    const started = '"$REPOGYM_OUTPUT_DIR/started"';
    const command = `nohup sh -c 'touch "$1"; sleep 1000' ${m} ${started} > /dev/null 2>&1 & (trap '' HUP TERM; sleep 1000; : ${m}) > /dev/null 2>&1 & while [ ! -e ${started} ]; do sleep 0.05; done; exit 0`;
    const { record } = await h.run(command);
    expect(record.status, record.reason).toBe("scored");
    expectNoReward(record);
    expect(processesWith(m)).toEqual([]);
  });

  /** A daemon in a new session (its own process group) that keeps re-breaking the restored tests. */
  const rewriter = (m: string) => {
    const passing =
      'import { test } from "node:test";\\ntest("add large", () => {});\\ntest("add small", () => {});\\n';
    const loop = `touch "$1"; while :; do printf '${passing}' > test/calc.test.js 2>/dev/null; sleep 0.01; done`;
    return `${daemon(m, loop)}`;
  };

  it("(e) sandbox bwrap: a setsid daemon dies with the agent and cannot touch the scored tests", async () => {
    const m = mark("setsidbwrap");
    const command = rewriter(m);
    const { record } = await h.run(command, { sandbox: "bwrap" });
    expectNoReward(record);
    expect(processesWith(m)).toEqual([]);
  });

  // HOLE (sandbox none): runProcess kills the agent's process group, and `setsid` leaves it.
  // The daemon outlives the rollout (and can rewrite the workspace after the tests are restored).
  it.fails("(e) sandbox none: a setsid daemon does not outlive the agent", async () => {
    const m = mark("setsid");
    const command = daemon(m, 'touch "$1"; sleep 1000');
    const { record } = await h.run(command);
    expectNoReward(record);
    expect(processesWith(m)).toEqual([]);
  });

  it("(f) printing 200 MB: the log is capped, the rollout finishes with reward 0", async () => {
    const { record, dir } = await h.run("yes repogym-cheat-flood | head -c 200000000; exit 0");
    expect(record.status, record.reason).toBe("scored");
    expectNoReward(record);
    const size = (await stat(join(dir, "agent.log"))).size;
    expect(size).toBeLessThan(16 * 1024 * 1024);
    expect(record.logs.agent).toBeDefined();
  });
});
