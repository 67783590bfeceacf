import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { resultsFromZip } from "../../bot/artifact.js";
import { Coalescer } from "../../bot/coalesce.js";
import { parseCommand } from "../../bot/commands-parse.js";
import { MemoryDeliveryStore } from "../../bot/dedupe.js";
import { HELP } from "../../bot/messages.js";
import { checkRunFor, runNameFor, targetOfRun, verifyResults } from "../../bot/report.js";
import { readServerEnv } from "../../bot/server-env.js";
import { isSafeEntryName, listZipEntries, readZipEntry } from "../../bot/zip.js";
import { defaultConfig, parseConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { compareResults } from "../../report/compare.js";
import { buildResults, sha } from "../report/build-results.js";
import { ManualClock } from "./harness.js";

describe("parseCommand", () => {
  it("reads the first /repogym line: run with its options, mine, help", () => {
    expect(parseCommand("/repogym run")).toEqual({
      kind: "command",
      command: { name: "run" },
      line: "/repogym run",
    });
    expect(parseCommand("lgtm\n  /repogym run claude attempts=3 sample=20  \n/repogym mine")).toEqual({
      kind: "command",
      command: { name: "run", agent: "claude", attempts: 3, sample: 20 },
      line: "/repogym run claude attempts=3 sample=20",
    });
    expect(parseCommand("/Repogym MINE")).toMatchObject({ command: { name: "mine" } });
    expect(parseCommand("/repogym")).toMatchObject({ command: { name: "help" } });
    expect(parseCommand("/repogym help\r\n")).toMatchObject({ command: { name: "help" } });
  });

  it("ignores text that is not a command: elsewhere on a line, quoted, fenced, glued", () => {
    for (const body of [
      "",
      null,
      "please /repogym run",
      "> /repogym run",
      "```\n/repogym run\n```",
      "~~~md\n/repogym mine\n~~~",
      "/repogymrun",
      "`/repogym run`",
    ]) {
      expect(parseCommand(body)).toEqual({ kind: "none" });
    }
    // After the fence closes, commands count again.
    expect(parseCommand("```\nx\n```\n/repogym mine")).toMatchObject({ command: { name: "mine" } });
  });

  it("says what is wrong with a command it cannot run", () => {
    const error = (body: string) => {
      const parsed = parseCommand(body);
      return parsed.kind === "invalid" ? parsed.error : parsed.kind;
    };
    expect(error("/repogym deploy")).toBe("unknown command `deploy`; the commands are run, mine and help");
    expect(error("/repogym run attempts=0")).toBe("attempts must be a whole number from 1 to 10");
    expect(error("/repogym run attempts=2.5")).toBe("attempts must be a whole number from 1 to 10");
    expect(error("/repogym run sample=1001")).toBe("sample must be a whole number from 1 to 1000");
    expect(error("/repogym run seed=3")).toBe("unknown option `seed`; `run` takes attempts=K and sample=N");
    expect(error("/repogym run claude codex")).toBe("one agent at a time: got `claude` and `codex`");
    expect(error("/repogym run $(rm)")).toBe(
      "`$(rm)` is not an agent name (letters, digits, '.', '_' or '-')",
    );
    expect(error("/repogym mine now")).toBe("`mine` takes no arguments, got `now`");
    expect(error(`/repogym run ${"a".repeat(600)}`)).toBe("the command line is too long");
    expect(error("/repogym run `x`")).toContain("`'x'`");
  });

  it("the help text has no line a parser would take for a command", () => {
    expect(parseCommand(HELP)).toEqual({ kind: "none" });
  });
});

describe("Coalescer", () => {
  it("leads, keeps the latest of a burst for the end of the window, then starts over", () => {
    const clock = new ManualClock();
    const fired: Array<[string, number]> = [];
    const c = new Coalescer<number>(clock, (key, item) => fired.push([key, item]));
    expect(c.offer("a", 1)).toBe("lead");
    // Arrives while the leading action is still running: kept.
    expect(c.offer("a", 2)).toBe("deferred");
    c.open("a", 1000);
    expect(c.offer("a", 3)).toBe("deferred");
    expect(c.offer("b", 9)).toBe("lead");
    c.open("b", 1000);
    clock.advance(999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([["a", 3]]);
    // The trailing action opened a window of its own.
    expect(c.offer("a", 4)).toBe("deferred");
    clock.advance(1000);
    expect(fired).toEqual([
      ["a", 3],
      ["a", 4],
    ]);
    clock.advance(5000);
    expect(c.offer("a", 5)).toBe("lead");
    expect(c.offer("b", 10)).toBe("lead");
  });

  it("cancel forgets a window; flush runs what waits; a zero window never waits", () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const c = new Coalescer<number>(clock, (_key, item) => fired.push(item));
    c.offer("a", 1);
    c.offer("a", 2);
    c.cancel("a");
    expect(c.offer("a", 3)).toBe("lead");
    c.open("a", 60_000);
    c.offer("a", 4);
    c.flush();
    expect(fired).toEqual([4]);
    expect(clock.pending).toBe(0);
    expect(c.offer("z", 1)).toBe("lead");
    c.open("z", 0);
    expect(c.offer("z", 2)).toBe("lead");
  });
});

describe("MemoryDeliveryStore", () => {
  it("claims once, lets a failed delivery be retried, forgets the oldest past capacity", () => {
    const store = new MemoryDeliveryStore(2);
    expect(store.claim("a")).toBe(true);
    expect(store.claim("a")).toBe(false);
    store.complete("a");
    expect(store.claim("a")).toBe(false);
    expect(store.claim("b")).toBe(true);
    store.release("b");
    expect(store.claim("b")).toBe(true);
    expect(store.claim("c")).toBe(true);
    expect(store.claim("a")).toBe(true);
  });
});

function patchSizes(zip: Uint8Array, claimed: number): Uint8Array {
  const copy = Uint8Array.from(zip);
  const view = new DataView(copy.buffer);
  for (let i = 0; i + 4 <= copy.length; i++) {
    const signature = view.getUint32(i, true);
    if (signature === 0x04034b50) view.setUint32(i + 22, claimed, true);
    if (signature === 0x02014b50) view.setUint32(i + 24, claimed, true);
  }
  return copy;
}

describe("zip reading", () => {
  it("stops inflating at the cap even when the headers lie about the size", () => {
    const bomb = zipSync({ "results.json": new Uint8Array(24 * 1024 * 1024) }, { level: 1 });
    expect(bomb.length).toBeLessThan(256 * 1024);
    const lying = patchSizes(bomb, 100);
    const [entry] = listZipEntries(lying, "bomb");
    expect(entry).toMatchObject({ name: "results.json", uncompressedSize: 100 });
    const started = performance.now();
    expect(() => readZipEntry(lying, entry!, 8 * 1024 * 1024, "bomb")).toThrow(
      /results\.json inflates past 8388608 bytes/,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(() => resultsFromZip(lying, "bomb")).toThrow(ConfigError);
  });

  it("checks entry names", () => {
    for (const name of ["results.json", "a/b/results.json", "a..b/c", "..."])
      expect(isSafeEntryName(name)).toBe(true);
    for (const name of ["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\b", "", "a\0b"]) {
      expect(isSafeEntryName(name)).toBe(false);
    }
  });

  it("merges the shards' results of one artifact, and says which are missing", () => {
    const shard = (index: number, id: string) =>
      JSON.stringify({
        ...buildResults({ run_id: "r", commit: "c", scenarios: [{ id, rewards: [1] }] }),
        shard: { index, count: 3 },
      });
    const zip = zipSync({
      "repogym-shard-1/results.json": strToU8(shard(1, "acme__calc-1")),
      "repogym-shard-2/results.json": strToU8(shard(2, "acme__calc-2")),
    });
    const { results, missing } = resultsFromZip(zip, "shards");
    expect(results.scenarios.map((s) => s.instance_id)).toEqual(["acme__calc-1", "acme__calc-2"]);
    expect(missing).toEqual([3]);
  });
});

describe("verifying a finished run", () => {
  const repo = "acme/calc";
  const run = {
    id: 5,
    name: "repogym",
    event: "workflow_dispatch",
    head_sha: sha("1"),
    html_url: null,
    display_title: runNameFor("run", 12, sha("2")),
    head_repository: repo,
  };

  it("takes a dispatched run's pull request and commit from its run-name", () => {
    const target = targetOfRun(run, repo);
    expect(target).toEqual({ kind: "dispatched", command: "run", pr: 12, sha: sha("2") });
    const results = { ...buildResults({ run_id: "r", commit: "1", scenarios: [] }) };
    expect(verifyResults(results, run, repo, target)).toEqual({ ok: true, pr: 12, headSha: sha("2") });
    expect(verifyResults({ ...results, commit: sha("9") }, run, repo, target)).toMatchObject({ ok: false });
    expect(targetOfRun({ ...run, display_title: "repogym mine" }, repo).kind).toBe("skip");
    expect(targetOfRun({ ...run, display_title: `repogym run #12 @ ${sha("2")} extra` }, repo).kind).toBe(
      "skip",
    );
  });

  it("the check run is neutral when nothing was rewarded or the reward fell beyond noise", () => {
    const base = buildResults({
      run_id: "base",
      commit: "b",
      scenarios: Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, rewards: [1, 1, 1] })),
    });
    const worse = buildResults({
      run_id: "pr",
      commit: "c",
      scenarios: Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, rewards: [0, 0, 0] })),
    });
    const marker = "<!-- repogym:comment key=default -->\nbody";
    expect(checkRunFor(compareResults(worse, base), marker)).toEqual({
      conclusion: "neutral",
      title: "Mean reward 0.00 (−1.00 vs base, beyond noise)",
      summary: "body",
    });
    expect(checkRunFor(compareResults(base, null), marker).conclusion).toBe("success");
    const broken = buildResults({ run_id: "x", commit: "c", scenarios: [{ id: "s", rewards: [null] }] });
    expect(checkRunFor(compareResults(broken, null), marker).conclusion).toBe("neutral");
    expect(
      checkRunFor(compareResults(base, null), `x\n${"y".repeat(70_000)}`).summary.length,
    ).toBeLessThanOrEqual(65_535);
  });
});

describe("bot config", () => {
  it("defaults, and a strict section whose typos surface", () => {
    expect(defaultConfig().bot).toEqual({
      dry_run: false,
      workflow: "repogym.yml",
      report_workflows: ["repogym", "repogym evaluate"],
      artifact: "repogym-results",
      coalesce_seconds: 120,
      commands: true,
      mine_on_push: true,
      pr_scenarios: true,
      comment_key: "default",
      history_branch: "repogym-data",
    });
    expect(parseConfig("bot:\n  dry_run: true\n  coalesce_seconds: 0\n", "c.yml").bot).toMatchObject({
      dry_run: true,
      coalesce_seconds: 0,
      workflow: "repogym.yml",
    });
    expect(() => parseConfig("bot:\n  dryrun: true\n", "c.yml")).toThrow(/dryrun/);
    expect(() => parseConfig("bot:\n  workflow: ../x.yml\n", "c.yml")).toThrow(/bot\.workflow/);
    // The defaults object is not shared between configs.
    defaultConfig().bot.report_workflows.push("x");
    expect(defaultConfig().bot.report_workflows).toHaveLength(2);
  });
});

describe("readServerEnv", () => {
  it("names every missing or wrong setting with where to find it", () => {
    const read = readServerEnv({ PORT: "x", PRIVATE_KEY: "-----BEGIN nope" });
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems).toEqual([
      expect.stringMatching(/^APP_ID must be the app's numeric id/),
      expect.stringMatching(/^PRIVATE_KEY is not a PEM private key/),
      expect.stringMatching(/^WEBHOOK_SECRET must be the app's webhook secret/),
      'PORT must be a port number, got "x"',
    ]);
  });
});
