import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GitError } from "../../../core/errors.js";
import { createNoopAgent } from "../../../runner/agents/noop.js";
import { createOracleAgent } from "../../../runner/agents/oracle.js";
import { extractTree } from "../../../runner/state-tree.js";
import { tempDir } from "../../helpers/fixture-repo.js";
import { sampleScenario } from "../../helpers/sample-scenario.js";
import { makeContext, readLog } from "./context.js";
import { BROKEN, brokenAndFixed, FIXED } from "./fixture.js";

describe("oracle agent", () => {
  it("applies the gold patch to a workspace at the base state", async () => {
    const { repo, base, patch } = await brokenAndFixed();
    await using _repo = repo;
    await using dir = await tempDir();
    const workspace = join(dir.path, "ws");
    await extractTree(repo.path, base, workspace);
    const context = await makeContext(dir.path, { workspace, scenario: sampleScenario({ patch }) });

    const outcome = await createOracleAgent().run(context);
    expect(outcome).toMatchObject({ status: "completed", exitCode: null });
    expect(await readFile(join(workspace, "src/add.js"), "utf8")).toBe(FIXED);
    expect(await readLog(context)).toContain("applied the gold patch of acme__lib-0123456789");
  });

  it("throws (an infrastructure failure) when the workspace is not the base state", async () => {
    const { repo, base, patch } = await brokenAndFixed();
    await using _repo = repo;
    await using dir = await tempDir();
    const workspace = join(dir.path, "ws");
    await extractTree(repo.path, base, workspace);
    const context = await makeContext(dir.path, { workspace, scenario: sampleScenario({ patch }) });
    await createOracleAgent().run(context);

    await expect(createOracleAgent().run(context)).rejects.toThrow(GitError);
    await expect(createOracleAgent().run(context)).rejects.toThrow(
      /gold patch of acme__lib-0123456789 does not apply/,
    );
  });
});

describe("noop agent", () => {
  it("completes without touching the workspace", async () => {
    const { repo, base } = await brokenAndFixed();
    await using _repo = repo;
    await using dir = await tempDir();
    const workspace = join(dir.path, "ws");
    await extractTree(repo.path, base, workspace);
    const context = await makeContext(dir.path, { workspace });

    expect(await createNoopAgent().run(context)).toMatchObject({ status: "completed" });
    expect(await readFile(join(workspace, "src/add.js"), "utf8")).toBe(BROKEN);
    expect(await readLog(context)).toContain("noop");
  });
});
