import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractTree } from "../runner/state-tree.js";
import { type Figure, makeFigure } from "./figure.js";
import { git, measureInterleaved, progress, runShell } from "./measure.js";

/**
 * State materialization: writing one commit's tree as files and removing it again, by
 * repogym's method (throwaway index + `git checkout-index --prefix`, runner/state-tree.ts)
 * against `git worktree add --detach` + `git worktree remove` and `git archive | tar -x`.
 * Each method pays for its own cleanup, since every state is thrown away after its proof.
 */
export async function measureMaterialize(
  repo: string,
  revisions: Array<{ label: string; rev: string }>,
  repeats: number,
): Promise<Figure[]> {
  const scratch = await mkdtemp(join(tmpdir(), "repogym-bench-states-"));
  let n = 0;
  const fresh = () => join(scratch, `state-${n++}`);
  const figures: Figure[] = [];
  try {
    for (const { label, rev } of revisions) {
      progress(`materialize: ${repeats} interleaved runs per method at ${label}`);
      const samples = await measureInterleaved(
        {
          ours: async () => {
            const dir = fresh();
            await extractTree(repo, rev, dir);
            await rm(dir, { recursive: true, force: true });
          },
          worktree: async () => {
            const dir = fresh();
            await git(repo, ["worktree", "add", "--quiet", "--detach", dir, rev]);
            await git(repo, ["worktree", "remove", "--force", dir]);
          },
          archive: async () => {
            const dir = fresh();
            await mkdir(dir);
            await runShell(`git archive --format=tar ${rev} | tar -x -C '${dir}'`, { cwd: repo });
            await rm(dir, { recursive: true, force: true });
          },
        },
        repeats,
      );
      const files = (await git(repo, ["ls-tree", "-r", "--name-only", rev])).stdout.trim().split("\n").length;
      const ours = samples.ours;
      const measured =
        "extractTree (git read-tree into a throwaway index + git checkout-index --prefix) + rm -r, per state";
      figures.push(
        makeFigure({
          id: `materialize.worktree.${label}`,
          title: `state materialization, ${files} files, ${label}: vs worktree`,
          measured,
          baselineDefinition: "`git worktree add --detach` + `git worktree remove --force`, per state",
          valueMs: ours.medianMs,
          baselineMs: samples.worktree.medianMs,
          ratioOf: "value/baseline",
          details: { files, oursRunsMs: ours.runsMs, baselineRunsMs: samples.worktree.runsMs },
        }),
        makeFigure({
          id: `materialize.archive.${label}`,
          title: `state materialization, ${files} files, ${label}: vs archive`,
          measured,
          baselineDefinition: "`git archive <rev> | tar -x` + rm -r, per state",
          valueMs: ours.medianMs,
          baselineMs: samples.archive.medianMs,
          ratioOf: "value/baseline",
          details: { files, oursRunsMs: ours.runsMs, baselineRunsMs: samples.archive.runsMs },
        }),
      );
    }
  } finally {
    await git(repo, ["worktree", "prune"]).catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  }
  return figures;
}
