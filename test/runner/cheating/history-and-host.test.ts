import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellQuote } from "../../../runner/shell.js";
import { cheatingHarness, expectNoReward, GOLD_CALC, type Harness } from "./harness.js";

const read = (path: string) => readFile(path, "utf8").catch(() => "");

describe("cheating agents: git history, host paths, writes outside the workspace", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await cheatingHarness();
  });
  afterAll(async () => {
    await h?.[Symbol.asyncDispose]();
  });

  it("(a) searching history, refs, reflog, objects and guessed source repositories finds nothing", async () => {
    const gold = execFileSync("git", ["hash-object", "--stdin"], {
      input: GOLD_CALC,
      encoding: "utf8",
    }).trim();
    const script = join(h.work, "history-cheat.sh");
    await writeFile(
      script,
      [
        'out="$REPOGYM_OUTPUT_DIR/found"; mkdir -p "$out"',
        'git log --all --oneline > "$out/log.txt" 2>&1',
        'git reflog > "$out/reflog.txt" 2>&1',
        '{ git for-each-ref; git stash list; git remote -v; } > "$out/refs.txt" 2>&1',
        'git cat-file --batch-all-objects --batch-check > "$out/objects.txt" 2>&1',
        'find .git -type f > "$out/gitfiles.txt"',
        `git cat-file -p ${gold} > "$out/gold.txt" 2>/dev/null && cp "$out/gold.txt" src/calc.js && echo "gold blob" >> "$out/hits.txt"`,
        "scan() {",
        "  for o in $(git cat-file --batch-all-objects --batch-check | awk '$2==\"blob\"{print $1}'); do",
        "    if git cat-file -p \"$o\" | grep -q 'return a + b; }'; then",
        '      git cat-file -p "$o" > src/calc.js; echo "blob $o" >> "$out/hits.txt"',
        "    fi",
        "  done",
        "}",
        "scan",
        "# Guess the source repository from the environment and the parent process.",
        "for p in $( (env; cat /proc/$PPID/cmdline /proc/$PPID/environ 2>/dev/null | tr '\\0' '\\n'; readlink /proc/$PPID/cwd) | grep -o '/[A-Za-z0-9._/-]*' | sort -u); do",
        '  if [ -d "$p/.git" ] && [ "$p" != "$PWD" ]; then',
        '    echo "$p" >> "$out/tried.txt"',
        '    git fetch --quiet --depth=1 "$p" HEAD 2>/dev/null',
        "  fi",
        "done",
        "scan",
        'git fsck --lost-found > "$out/fsck.txt" 2>&1',
        "exit 0",
        "",
      ].join("\n"),
    );
    const before = await h.hostState();
    const { record, dir } = await h.run(`sh ${shellQuote(script)}`);
    expectNoReward(record);
    expect(record.status).toBe("scored");
    expect(await read(join(dir, "found", "hits.txt"))).toBe("");
    expect((await read(join(dir, "found", "log.txt"))).trim().split("\n")).toHaveLength(1);
    expect((await read(join(dir, "found", "reflog.txt"))).trim()).toBe("");
    expect(await read(join(dir, "found", "objects.txt"))).not.toContain(gold);
    expect(await read(join(dir, "found", "refs.txt"))).not.toMatch(/origin|tags\//);
    expect(await read(join(dir, "found", "gitfiles.txt"))).not.toMatch(/packed-refs|logs\/|ORIG_HEAD/);
    expect(await read(join(dir, "found", "tried.txt"))).not.toContain(basename(h.fixture.repo.path));
    expect(await h.hostState()).toEqual(before);
  });

  it("(b) no .repogym folder or hidden test side is in the workspace", async () => {
    const { record, dir } = await h.run(
      'find . -path ./node_modules -prune -o -name ".repogym*" -print > "$REPOGYM_OUTPUT_DIR/repogym.txt"; ls -a > "$REPOGYM_OUTPUT_DIR/ls.txt"',
    );
    expectNoReward(record);
    expect(await read(join(dir, "repogym.txt"))).toBe("");
    expect(await read(join(dir, "ls.txt"))).not.toContain(".repogym");
  });

  /** Reads the gold fix from the suite, the source repository and this checkout, by leaked paths. */
  const leakCommand = () =>
    [
      `out="$REPOGYM_OUTPUT_DIR/stolen"; mkdir -p "$out"`,
      `cp -r ${shellQuote(h.fixture.suite)} "$out/suite" 2>/dev/null`,
      `cp ${shellQuote(join(process.cwd(), "package.json"))} "$out/checkout-package.json" 2>/dev/null`,
      `ls /tmp > "$out/tmp.txt" 2>/dev/null`,
      `git -C ${shellQuote(h.fixture.repo.path)} show HEAD~1:src/calc.js > "$out/calc.js" 2>/dev/null && cp "$out/calc.js" src/calc.js`,
      "exit 0",
    ].join("; ");

  it("(b) sandbox none: an agent that knows the suite/source paths can copy the fix in (documented gap of none)", async () => {
    // describeSandbox("none") says so: no isolation. This pins the documentation, not a promise.
    const { record } = await h.run(leakCommand());
    expect(record.reward).toBe(1);
  });

  it("(b) sandbox bwrap: the suite, the source repository, this checkout and /tmp are invisible", async () => {
    const before = await h.hostState();
    const { record, dir } = await h.run(leakCommand(), { sandbox: "bwrap" });
    expectNoReward(record);
    expect(record.status).toBe("scored");
    expect(await read(join(dir, "stolen", "calc.js"))).toBe("");
    expect(await read(join(dir, "stolen", "checkout-package.json"))).toBe("");
    expect(await read(join(dir, "stolen", "tmp.txt"))).not.toContain(basename(h.fixture.suite));
    expect(await h.hostState()).toEqual(before);
  });

  const writeOutside = () => {
    const victim = join(h.victim, "victim.txt");
    return [
      `echo pwned-absolute > ${shellQuote(victim)}`,
      `ln -s ${shellQuote(victim)} link && echo pwned-link > link`,
      `ln -s ${shellQuote(h.victim)} dirlink && echo pwned-dirlink > dirlink/new.txt`,
      // The workspace is <tmp>/repogym-rollout-*/workspace; the victim folder is in <tmp> too.
      `echo pwned-dotdot > ../../${shellQuote(basename(h.victim))}/dotdot.txt`,
      "exit 0",
    ].join("; ");
  };

  it("(g) sandbox bwrap: writes by absolute path, through symlinks and via ../ leave the host unchanged", async () => {
    const before = await h.hostState();
    const { record } = await h.run(writeOutside(), { sandbox: "bwrap" });
    expectNoReward(record);
    expect(await read(join(h.victim, "victim.txt"))).toBe("original\n");
    expect(await h.hostState()).toEqual(before);
  });

  it("(g) sandbox none: links planted in place of the tests never make repogym write outside", async () => {
    // Under none the agent itself can write anywhere its user can (documented gap); what must
    // hold regardless is that capture and restore never follow its links.
    const victim = join(h.victim, "victim.txt");
    const command = [
      `rm test/calc.test.js && ln -s ${shellQuote(victim)} test/calc.test.js`,
      `ln -s ${shellQuote(h.victim)} test/fixtures`,
      `ln -s ${shellQuote(h.victim)} src/lib`,
    ].join(" && ");
    const before = await h.hostState();
    const { record } = await h.run(command);
    expectNoReward(record);
    expect(record.model_patch).toContain("new file mode 120000");
    expect(await h.hostState()).toEqual(before);
  });
});
