/**
 * Checks exports of suites mined from real repositories: REPOGYM_REAL_EXPORTS names export
 * folders (separated by the path delimiter). Skipped without it; the fixture exports are
 * checked the same way in export.test.ts.
 */
import { delimiter } from "node:path";
import { describe, expect, it } from "vitest";
import { checkExport } from "./check-export.js";

const folders = (process.env.REPOGYM_REAL_EXPORTS ?? "").split(delimiter).filter((f) => f !== "");

describe.skipIf(folders.length === 0)("exports of real suites (REPOGYM_REAL_EXPORTS)", () => {
  for (const folder of folders) {
    it(`every file of ${folder} reads back against its format`, async () => {
      const checked = await checkExport(folder);
      expect(checked.files).toBeGreaterThan(0);
      process.stdout.write(`${folder}: ${JSON.stringify(checked)}\n`);
    });
  }
});
