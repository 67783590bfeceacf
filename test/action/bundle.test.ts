import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

describe("the Action's bundle", () => {
  it("is up to date with the source (run `npm run build:action` when this fails)", async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { bundleAction, BUNDLE_PATH } = (await import("../../action/bundle.mjs")) as {
      bundleAction(): Promise<string>;
      BUNDLE_PATH: string;
    };
    const fresh = await bundleAction();
    const committed = await readFile(BUNDLE_PATH, "utf8");
    expect(committed.length).toBe(fresh.length);
    expect(
      committed === fresh,
      "action/dist/index.js is stale: run `npm run build:action` and commit it",
    ).toBe(true);
  });

  it("starts on this Node and fails with one clear message when it has no event to work on", async () => {
    const error = await run(process.execPath, [join(root, "action", "dist", "index.js")], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, "INPUT_GITHUB-TOKEN": "" },
    }).catch((e: { code: number; stdout: string }) => e);
    expect((error as { code: number }).code).toBe(1);
    const stdout = (error as { stdout: string }).stdout;
    expect(stdout).toMatch(/^::error::GITHUB_REPOSITORY: expected owner\/name/m);
    expect(stdout.split("\n").filter((l) => l.startsWith("::error::"))).toHaveLength(1);
  });
});
