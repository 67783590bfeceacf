import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../core/errors.js";
import { createReplayAgent, loadPredictions, parsePredictions } from "../../../runner/agents/replay.js";
import { tempDir } from "../../helpers/fixture-repo.js";
import { sampleScenario } from "../../helpers/sample-scenario.js";
import { makeContext, readLog } from "./context.js";
import { BROKEN, brokenAndFixed, FIXED } from "./fixture.js";

const ID = "acme__lib-0123456789";

function jsonl(...rows: unknown[]): string {
  return `${rows.map((row) => (typeof row === "string" ? row : JSON.stringify(row))).join("\n")}\n`;
}

describe("loadPredictions", () => {
  it("reads SWE-bench predictions JSONL, skipping blank lines and extra fields", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "preds.jsonl");
    await writeFile(
      file,
      jsonl(
        { instance_id: ID, model_name_or_path: "gpt-x", model_patch: "diff --git a/x b/x\n", cost: 0.1 },
        "",
        { instance_id: "acme__lib-abcdef0", model_name_or_path: "gpt-x", model_patch: null },
      ),
    );
    const predictions = await loadPredictions(file);
    expect([...predictions.keys()]).toEqual([ID, "acme__lib-abcdef0"]);
    expect(predictions.get(ID)).toEqual({
      instance_id: ID,
      model_name_or_path: "gpt-x",
      model_patch: "diff --git a/x b/x\n",
      line: 1,
    });
    expect(predictions.get("acme__lib-abcdef0")).toMatchObject({ model_patch: "", line: 3 });
  });

  it("names file and line of invalid JSON", () => {
    const text = jsonl({ instance_id: ID, model_name_or_path: "m", model_patch: "" }, "{not json");
    expect(() => parsePredictions(text, "preds.jsonl")).toThrow(ConfigError);
    expect(() => parsePredictions(text, "preds.jsonl")).toThrow(/^preds\.jsonl:2: invalid JSON: /);
  });

  it("names the missing or mistyped field", () => {
    expect(() => parsePredictions(jsonl({ instance_id: ID, model_name_or_path: "m" }), "p.jsonl")).toThrow(
      "p.jsonl:1: field model_patch: missing",
    );
    expect(() => parsePredictions(jsonl({ model_name_or_path: "m", model_patch: "" }), "p.jsonl")).toThrow(
      "p.jsonl:1: field instance_id: missing",
    );
    expect(() =>
      parsePredictions(jsonl({ instance_id: 7, model_name_or_path: "m", model_patch: "" }), "p.jsonl"),
    ).toThrow("p.jsonl:1: field instance_id: expected a non-empty string, got a number");
    expect(() =>
      parsePredictions(jsonl({ instance_id: ID, model_name_or_path: "m", model_patch: ["x"] }), "p.jsonl"),
    ).toThrow("p.jsonl:1: field model_patch: expected a string (or null), got an array");
    expect(() => parsePredictions(jsonl("[1, 2]"), "p.jsonl")).toThrow(/^p\.jsonl:1: expected a JSON object/);
  });

  it("rejects a duplicate instance_id, naming both lines", () => {
    const row = { instance_id: ID, model_name_or_path: "m", model_patch: "" };
    expect(() =>
      parsePredictions(jsonl(row, { ...row, instance_id: "acme__lib-1" }, row), "p.jsonl"),
    ).toThrow(`p.jsonl:3: duplicate instance_id "${ID}" (first on line 1)`);
  });

  it("rejects an empty or unreadable file", async () => {
    expect(() => parsePredictions("\n\n", "p.jsonl")).toThrow("p.jsonl: no predictions in the file");
    await using dir = await tempDir();
    const missing = join(dir.path, "nope.jsonl");
    await expect(loadPredictions(missing)).rejects.toThrow(ConfigError);
    await expect(loadPredictions(missing)).rejects.toThrow(/nope\.jsonl: cannot read predictions/);
  });
});

describe("replay agent", () => {
  async function setup(modelPatch: string | undefined) {
    const { repo, base, patch } = await brokenAndFixed();
    repo.git("checkout", "-q", base);
    const predictions = parsePredictions(
      modelPatch === undefined
        ? jsonl({ instance_id: "acme__lib-other", model_name_or_path: "m1", model_patch: "" })
        : jsonl({
            instance_id: ID,
            model_name_or_path: "m1",
            model_patch: modelPatch === "GOLD" ? patch : modelPatch,
          }),
      "preds.jsonl",
    );
    return { repo, patch, agent: createReplayAgent(predictions) };
  }

  it("applies the prediction's patch in the workspace and records the model", async () => {
    const { repo, agent } = await setup("GOLD");
    await using _repo = repo;
    await using dir = await tempDir();
    const context = await makeContext(dir.path, { workspace: repo.path });

    expect(agent).toMatchObject({ name: "replay", model: "m1" });
    expect(await agent.run(context)).toMatchObject({ status: "completed" });
    expect(await readFile(join(repo.path, "src/add.js"), "utf8")).toBe(FIXED);
    expect(await readLog(context)).toContain(`applied the prediction of m1 for ${ID}`);
  });

  it("applies a patch that lost its final newline", async () => {
    const { repo, patch } = await setup(undefined);
    await using _repo = repo;
    const agent = createReplayAgent(
      parsePredictions(
        jsonl({ instance_id: ID, model_name_or_path: "m", model_patch: patch.trimEnd() }),
        "p",
      ),
    );
    await using dir = await tempDir();
    const context = await makeContext(dir.path, { workspace: repo.path });
    expect(await agent.run(context)).toMatchObject({ status: "completed" });
    expect(await readFile(join(repo.path, "src/add.js"), "utf8")).toBe(FIXED);
  });

  it("is an agent error when there is no prediction for the scenario", async () => {
    const { repo, agent } = await setup(undefined);
    await using _repo = repo;
    await using dir = await tempDir();
    const context = await makeContext(dir.path, { workspace: repo.path, scenario: sampleScenario() });

    expect(await agent.run(context)).toMatchObject({
      status: "agent_error",
      reason: `no prediction for ${ID}`,
    });
    expect(await readLog(context)).toContain(`no prediction for ${ID}`);
  });

  it("is an agent error with git's message when the patch does not apply", async () => {
    const wrong = [
      "diff --git a/src/add.js b/src/add.js",
      "--- a/src/add.js",
      "+++ b/src/add.js",
      "@@ -1 +1 @@",
      "-export const add = (a, b) => a * b;",
      "+export const add = (a, b) => a + b;",
      "",
    ].join("\n");
    const { repo, agent } = await setup(wrong);
    await using _repo = repo;
    await using dir = await tempDir();
    const context = await makeContext(dir.path, { workspace: repo.path });

    const outcome = await agent.run(context);
    expect(outcome.status).toBe("agent_error");
    expect(outcome.status === "agent_error" && outcome.reason).toMatch(
      new RegExp(`^the prediction for ${ID} does not apply: error: patch failed: src/add\\.js:1`),
    );
    expect(await readFile(join(repo.path, "src/add.js"), "utf8")).toBe(BROKEN);
  });

  it("is an agent error when the patch is not a patch at all", async () => {
    const { repo, agent } = await setup("this is not a diff\n@@ nonsense\n");
    await using _repo = repo;
    await using dir = await tempDir();
    const context = await makeContext(dir.path, { workspace: repo.path });
    const outcome = await agent.run(context);
    expect(outcome.status).toBe("agent_error");
  });
});
