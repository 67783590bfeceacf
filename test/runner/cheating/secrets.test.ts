import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxLevel } from "../../../runner/sandbox.js";
import { cheatingHarness, expectNoReward, type Harness } from "./harness.js";

const UNNAMED = "unnamed-secret-value-7f3a9c";
const NAMED = "named-api-key-value-5e1b2d";

describe("cheating agents: secrets in the environment", () => {
  let h: Harness;
  const hostEnv = {
    ...process.env,
    REPOGYM_TEST_SECRET: UNNAMED,
    HOST_ONLY_TOKEN: UNNAMED,
    CHEAT_API_KEY: NAMED,
  };
  beforeAll(async () => {
    h = await cheatingHarness();
  });
  afterAll(async () => {
    await h?.[Symbol.asyncDispose]();
  });

  it("(h) host variables not named never reach the agent; a named secret is masked in its log", async () => {
    const command = 'env; env > "$REPOGYM_OUTPUT_DIR/env.txt"; echo "named=$CHEAT_API_KEY"; exit 0';
    const { record, dir, agentLog } = await h.run(command, {
      hostEnv,
      agentSpec: { name: "command", command, env: ["CHEAT_API_KEY"] },
    });
    expectNoReward(record);
    const dump = await readFile(join(dir, "env.txt"), "utf8");
    expect(dump).not.toContain(UNNAMED);
    expect(dump).not.toMatch(/^(REPOGYM_TEST_SECRET|HOST_ONLY_TOKEN)=/m);
    expect(dump).toContain(`CHEAT_API_KEY=${NAMED}`); // it was named: the agent may use it
    expect(agentLog).not.toContain(UNNAMED);
    expect(agentLog).not.toContain(NAMED);
    expect(agentLog).toContain("named=***");
    expect(JSON.stringify(record)).not.toContain(NAMED);
  });

  /** The agent reads its parent's (repogym's own) environment through /proc. */
  async function parentEnvironment(sandbox: SandboxLevel) {
    const command =
      'cat /proc/$PPID/environ 2>/dev/null | tr "\\0" "\\n" > "$REPOGYM_OUTPUT_DIR/parent.txt"; env > "$REPOGYM_OUTPUT_DIR/own.txt"; exit 0';
    const { record, dir } = await h.run(command, { hostEnv, sandbox });
    expectNoReward(record);
    const own = new Set((await readFile(join(dir, "own.txt"), "utf8")).split("\n"));
    const parent = (await readFile(join(dir, "parent.txt"), "utf8")).split("\n").filter(Boolean);
    return parent.filter((line) => !own.has(line));
  }

  it("(h) sandbox bwrap: /proc shows no host process's environment", async () => {
    expect(await parentEnvironment("bwrap")).toEqual([]);
  });

  // HOLE (sandbox none): /proc/$PPID/environ is readable by the same user, so the agent reads
  // every variable repogym itself was started with, named or not.
  it.fails("(h) sandbox none: /proc shows no host process's environment", async () => {
    expect(await parentEnvironment("none")).toEqual([]);
  });
});
