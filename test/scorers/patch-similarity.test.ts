import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import {
  changedLines,
  comparePatches,
  createPatchSimilarityScorer,
  MAX_CHANGED_LINES,
  MAX_PATCH_CHARS,
} from "../../scorers/patch-similarity.js";
import { scoreContext } from "./context.js";

const GOLD = `diff --git a/src/math.js b/src/math.js
index 1111111..2222222 100644
--- a/src/math.js
+++ b/src/math.js
@@ -1,5 +1,5 @@
 export function add(a, b) {
-  return a - b;
+  return a + b;
 }
 
 export function mul(a, b) {
@@ -10,3 +10,4 @@ export function div(a, b) {
   if (b === 0) {
-    return 0;
+    throw new RangeError("division by zero");
   }
+  // checked above
diff --git a/src/util.js b/src/util.js
index 3333333..4444444 100644
--- a/src/util.js
+++ b/src/util.js
@@ -1,2 +1,2 @@
-export const VERSION = "1.0.0";
+export const VERSION = "1.0.1";
 export const NAME = "math";
`;

/** The same change with its files and hunks in another order, other index lines and hunk positions. */
const REORDERED = `diff --git a/src/util.js b/src/util.js
index aaaaaaa..bbbbbbb 100644
--- a/src/util.js
+++ b/src/util.js
@@ -1,2 +1,2 @@
-export const VERSION = "1.0.0";
+export const VERSION = "1.0.1";
 export const NAME = "math";
diff --git a/src/math.js b/src/math.js
index ccccccc..ddddddd 100644
--- a/src/math.js
+++ b/src/math.js
@@ -12,2 +12,3 @@ export function div(a, b) {
-    return 0;
+    throw new RangeError("division by zero");
   }
+  // checked above
@@ -2,1 +2,1 @@ export function add(a, b) {
-  return a - b;
+  return a + b;
`;

const UNRELATED = `diff --git a/README.md b/README.md
index 5555555..6666666 100644
--- a/README.md
+++ b/README.md
@@ -1,2 +1,3 @@
 # math
+Small arithmetic helpers.
-Work in progress.
+See the docs folder for details.
`;

const scorer = createPatchSimilarityScorer({});

async function similarity(gold: string, model: string) {
  return scorer.score(scoreContext({ scenario: { patch: gold }, modelPatch: model }));
}

describe("patch-similarity scorer", () => {
  it("scores identical patches 1", async () => {
    const result = await similarity(GOLD, GOLD);
    expect(result.score).toBe(1);
    expect(result.details).toMatchObject({
      goldLines: 7,
      modelLines: 7,
      commonLines: 7,
      precision: 1,
      recall: 1,
    });
  });

  it("scores an empty agent patch 0", async () => {
    const result = await similarity(GOLD, "");
    expect(result.score).toBe(0);
    expect(result.details).toMatchObject({ modelLines: 0, reason: "the agent's patch has no changed lines" });
  });

  it("scores an unrelated patch 0", async () => {
    expect((await similarity(GOLD, UNRELATED)).score).toBe(0);
  });

  it("ignores the order of files and hunks, index lines and hunk positions", async () => {
    expect((await similarity(GOLD, REORDERED)).score).toBe(1);
  });

  it("ignores whitespace-only differences between the patches", async () => {
    const reformatted = GOLD.replace("+  return a + b;", "+\treturn a+b;  ").replace(
      '+    throw new RangeError("division by zero");',
      '+    throw new RangeError( "division by zero" );',
    );
    expect(reformatted).not.toBe(GOLD);
    expect((await similarity(GOLD, reformatted)).score).toBe(1);
  });

  it("ignores whitespace-only edits and blank lines inside the agent's patch", async () => {
    const noisy = GOLD.replace(
      " export function add(a, b) {\n-  return a - b;\n+  return a + b;\n }\n \n",
      "-export function add(a, b) {\n-  return a - b;\n+export function add(a,  b) {\n+  return a + b;\n+\n }\n \n",
    ).replace("@@ -1,5 +1,5 @@", "@@ -1,5 +1,6 @@");
    expect(changedLines(noisy).size).toBe(changedLines(GOLD).size);
    expect((await similarity(GOLD, noisy)).score).toBe(1);
  });

  it("gives partial credit by the Dice coefficient over changed lines", async () => {
    // Only the util.js change: 2 of the gold patch's 7 changed lines.
    const utilOnly = GOLD.slice(GOLD.indexOf("diff --git a/src/util.js"));
    const result = await similarity(GOLD, utilOnly);
    expect(result.score).toBeCloseTo((2 * 2) / (7 + 2), 12);
    expect(result.details).toMatchObject({ precision: 1, recall: 2 / 7 });
  });

  it("gives no credit for the right line in the wrong file", async () => {
    const moved = GOLD.replaceAll("src/util.js", "src/version.js");
    const result = await similarity(GOLD, moved);
    expect(result.score).toBeCloseTo((2 * 5) / (7 + 7), 12);
  });

  it("reads a removed line that looks like a file header as a changed line", () => {
    const tricky = `diff --git a/notes.txt b/notes.txt
--- a/notes.txt
+++ b/notes.txt
@@ -1,2 +1,2 @@
--- a/looks-like-a-header
+++ b/looks-like-a-header
 context
`;
    const { lines, size } = changedLines(tricky);
    expect(size).toBe(2);
    expect([...lines.keys()]).toEqual([
      "notes.txt\0---a/looks-like-a-header",
      "notes.txt\0+++b/looks-like-a-header",
    ]);
  });

  it("keys deleted files by their old path and skips binary diffs", () => {
    const patch = `diff --git a/old.js b/old.js
deleted file mode 100644
index 1111111..0000000
--- a/old.js
+++ /dev/null
@@ -1 +0,0 @@
-module.exports = 1;
\\ No newline at end of file
diff --git a/logo.png b/logo.png
index 2222222..3333333 100644
Binary files a/logo.png and b/logo.png differ
`;
    expect([...changedLines(patch).lines.keys()]).toEqual(["old.js\0-module.exports=1;"]);
  });

  it("caps huge patches, stays linear and says so in details", async () => {
    const lines = Array.from({ length: MAX_CHANGED_LINES + 5_000 }, (_, i) => `+const v${i} = ${i};`);
    const huge = `diff --git a/big.js b/big.js\n--- /dev/null\n+++ b/big.js\n@@ -0,0 +1,${lines.length} @@\n${lines.join("\n")}\n`;
    const result = await similarity(huge, huge);
    expect(result.score).toBe(1);
    expect(result.details).toMatchObject({
      goldLines: MAX_CHANGED_LINES,
      truncated: { gold: true, model: true },
      limits: { maxChangedLines: MAX_CHANGED_LINES },
    });
    const unrelated = await similarity(huge, GOLD);
    expect(unrelated.score).toBe(0);
    expect(unrelated.details).toMatchObject({ truncated: { gold: true, model: false } });
  });

  it("still compares a patch whose single line is longer than the input cap", async () => {
    const line = "y".repeat(MAX_PATCH_CHARS + 10);
    const patch = `diff --git a/min.js b/min.js\n--- a/min.js\n+++ b/min.js\n@@ -1 +1 @@\n-x\n+${line}\n`;
    const result = await similarity(patch, patch);
    expect(result.score).toBe(1);
    expect(result.details).toMatchObject({ goldLines: 2, truncated: { gold: true, model: true } });
  });

  it("scores 0 with a reason when the gold patch has no changed lines", async () => {
    const result = await similarity("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n", GOLD);
    expect(result).toMatchObject({ score: 0, details: { reason: expect.stringContaining("gold patch") } });
  });

  it("takes no options", () => {
    expect(() => createPatchSimilarityScorer({ threshold: 0.5 })).toThrow(ConfigError);
    expect(() => createPatchSimilarityScorer({ threshold: 0.5 })).toThrow(
      'scorer "patch-similarity": unknown option "threshold" (it takes no options)',
    );
  });

  it("is symmetric", () => {
    const utilOnly = GOLD.slice(GOLD.indexOf("diff --git a/src/util.js"));
    expect(comparePatches(GOLD, utilOnly).score).toBe(comparePatches(utilOnly, GOLD).score);
  });
});
