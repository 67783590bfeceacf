import { join } from "node:path";
import * as core from "@actions/core";
import { loadConfig } from "../../core/config.js";
import { openRepository } from "../../core/git.js";
import { readSuite } from "../../core/suite-store.js";
import { validateSuite } from "../../scenario-gen/validate-suite.js";
import type { ModeContext } from "./context.js";

/** validate: re-proves every scenario of the suite; fails naming the ones that no longer hold. */
export async function validate(ctx: ModeContext): Promise<void> {
  await openRepository(ctx.repoDir);
  const scenarios = await readSuite(join(ctx.repoDir, ctx.inputs.suite));
  const config = await loadConfig(ctx.repoDir);
  const verdicts = await validateSuite({
    repo: ctx.repoDir,
    scenarios,
    cacheDir: ctx.cacheDir,
    jobs: ctx.inputs.jobs,
    config,
    signal: ctx.signal,
    onVerdict: (v, i, total) =>
      core.info(
        `[${i + 1}/${total}] ${v.instanceId} ${v.ok ? "proven" : `NOT proven: ${v.problems.join("; ")}`}`,
      ),
  });
  const failed = verdicts.filter((v) => !v.ok);
  await core.summary
    .addRaw(
      [
        "### repogym validate",
        "",
        `${verdicts.length - failed.length} of ${verdicts.length} scenarios proven.`,
        ...failed.map(
          (v) => `- \`${v.instanceId}\`: ${v.ok ? "" : v.problems.join("; ").replace(/[<>]/g, "")}`,
        ),
        "",
      ].join("\n"),
    )
    .write();
  if (failed.length > 0)
    core.setFailed(
      `${failed.length} scenarios no longer hold: ${failed.map((v) => v.instanceId).join(", ")}`,
    );
}
