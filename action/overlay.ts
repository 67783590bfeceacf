import picomatch from "picomatch";
import { ConfigError } from "../core/errors.js";
import { Git } from "../core/git.js";
import type { OverlayFile } from "../runner/workspace.js";

export const OVERLAY_LIMITS = { maxFiles: 200, maxBytes: 1024 * 1024 } as const;

/**
 * The team's agent instructions as committed at the checkout's HEAD (the PR head): tracked
 * regular files matching the config's globs. Links are skipped (they could point anywhere on
 * the runner), and the total size is capped. These are laid over every scenario workspace.
 */
export async function readInstructionOverlay(
  repoDir: string,
  patterns: readonly string[],
): Promise<OverlayFile[]> {
  if (patterns.length === 0) return [];
  const git = new Git(repoDir);
  const isMatch = picomatch([...patterns], { dot: true });
  const listing = (await git.run(["ls-files", "-s", "-z"])).split("\0").filter((l) => l !== "");
  const files: OverlayFile[] = [];
  let bytes = 0;
  for (const line of listing) {
    const match = /^(\d+) ([0-9a-f]+) \d+\t(.*)$/s.exec(line);
    if (!match) continue;
    const [, mode, sha, path] = match;
    if (!(mode === "100644" || mode === "100755") || !isMatch(path!)) continue;
    if (path!.startsWith(".repogym/")) continue;
    const content = await git.exec(["cat-file", "blob", sha!]);
    bytes += content.length;
    if (files.length >= OVERLAY_LIMITS.maxFiles || bytes > OVERLAY_LIMITS.maxBytes) {
      throw new ConfigError(
        `the agent instructions matched are more than ${OVERLAY_LIMITS.maxFiles} files or ${OVERLAY_LIMITS.maxBytes} bytes; narrow the globs`,
        "agent_instructions in .repogym/config.yml",
      );
    }
    files.push({ path: path!, content });
  }
  return files;
}
