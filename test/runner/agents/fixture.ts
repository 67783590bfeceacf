import { FixtureRepo } from "../../helpers/fixture-repo.js";

export const BROKEN = "export const add = (a, b) => a - b;\n";
export const FIXED = "export const add = (a, b) => a + b;\n";

/** A repository with a broken base commit and its fix; `patch` is the fix as a diff. */
export async function brokenAndFixed(): Promise<{ repo: FixtureRepo; base: string; patch: string }> {
  const repo = await FixtureRepo.create();
  const base = await repo.commit("add", {
    "src/add.js": BROKEN,
    "README.md": "# lib\n",
  });
  const fix = await repo.commit("fix add", { "src/add.js": FIXED });
  return { repo, base, patch: repo.git("diff", base, fix) };
}
