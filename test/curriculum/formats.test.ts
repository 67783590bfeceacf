import { describe, expect, it } from "vitest";
import type { ExportRollout } from "../../curriculum/context.js";
import { FORMAT_NAMES, parseFormats } from "../../curriculum/formats.js";
import { preferencePairs } from "../../curriculum/preference.js";
import { rlGroups } from "../../curriculum/rl.js";
import { trajectoryMessages } from "../../curriculum/sft.js";
import { pythonJsonList, swebenchTime } from "../../curriculum/swebench.js";
import { rollout } from "./fixtures.js";

describe("parseFormats", () => {
  it("takes names, comma lists and all, in the registry's order, once each", () => {
    expect(parseFormats(["rl,swebench", "RL"])).toEqual(["swebench", "rl"]);
    expect(parseFormats(["all"])).toEqual([...FORMAT_NAMES]);
    expect(parseFormats(["sft", "all"])).toEqual([...FORMAT_NAMES]);
  });

  it("rejects unknown names with the known ones", () => {
    expect(() => parseFormats(["rl,parquet"])).toThrow(
      'unknown format "parquet"; known formats: all, swebench, runloop, harbor, rl, sft, preference',
    );
    expect(() => parseFormats([" , "])).toThrow(/--format needs a format/);
  });
});

describe("SWE-bench encodings", () => {
  it("lists as Python's json.dumps writes them; times in UTC with whole seconds", () => {
    expect(pythonJsonList([])).toBe("[]");
    expect(pythonJsonList(['a "b"', "c\\d"])).toBe('["a \\"b\\"", "c\\\\d"]');
    expect(JSON.parse(pythonJsonList(['a "b"', "ü"]))).toEqual(['a "b"', "ü"]);
    expect(swebenchTime("2024-04-22T21:04:17+02:00")).toBe("2024-04-22T19:04:17Z");
    expect(swebenchTime("2024-04-22T19:04:17.123Z")).toBe("2024-04-22T19:04:17Z");
  });
});

describe("trajectoryMessages", () => {
  it("reads chat lists, {messages} objects and ATIF steps, mapping roles", () => {
    expect(
      trajectoryMessages(
        [
          { role: "developer", content: "sys" },
          { role: "human", content: "task" },
          { role: "ai", content: null, tool_calls: [{ id: "1", function: { name: "bash" } }] },
          { role: "function", content: [{ type: "text", text: "out" }, "more"] },
        ],
        "problem",
      ),
    ).toEqual([
      { role: "system", content: "sys" },
      { role: "user", content: "task" },
      { role: "assistant", content: '[{"id":"1","function":{"name":"bash"}}]' },
      { role: "tool", content: "out\nmore" },
    ]);
  });

  it("puts the problem statement first when the trajectory has no user message", () => {
    expect(trajectoryMessages({ messages: [{ role: "assistant", content: "done" }] }, "problem")).toEqual([
      { role: "user", content: "problem" },
      { role: "assistant", content: "done" },
    ]);
  });

  it("refuses what it cannot read, saying why", () => {
    expect(trajectoryMessages("text", "p")).toMatch(/neither a list of messages nor ATIF/);
    expect(trajectoryMessages([{ role: "wizard", content: "x" }], "p")).toMatch(/unknown role "wizard"/);
    expect(trajectoryMessages([{ role: "user", content: { nested: 1 } }], "p")).toMatch(/not text/);
    expect(trajectoryMessages([{ role: "user", content: "only the task" }], "p")).toMatch(
      /no assistant message/,
    );
    expect(trajectoryMessages({ steps: [{ source: "agent", message: 3 }] }, "p")).toMatch(/not text/);
  });
});

const item = (
  run_id: string,
  attempt: number,
  reward: number | null,
  model_patch?: string,
): ExportRollout => ({
  rollout: rollout({
    run_id,
    instance_id: "acme__lib-1",
    attempt,
    reward,
    ...(model_patch === undefined ? {} : { model_patch }),
  }),
  runDir: "/runs",
  split: undefined,
});

describe("preference pairs and RL groups", () => {
  it("pairs every higher reward with every lower one, skipping ties, equal patches and infra errors", () => {
    const pairs = preferencePairs([
      item("a", 1, 1),
      item("a", 2, 0),
      item("a", 3, 0, "same"),
      item("a", 4, 0.5, "same"),
      item("a", 5, null),
      item("a", 6, 1),
    ]);
    const names = pairs.map(([c, r]) => `${c.rollout.attempt}>${r.rollout.attempt}`);
    expect(names).toEqual(["1>2", "1>3", "1>4", "4>2", "6>2", "6>3", "6>4"]);
  });

  it("group advantages: (reward - mean) / sample deviation, 0 without spread", () => {
    const [group] = rlGroups([item("a", 1, 1), item("a", 2, 0), item("a", 3, 0), item("a", 4, null)]);
    expect(group!.members).toHaveLength(3);
    expect(group!.mean).toBeCloseTo(1 / 3);
    expect(group!.std).toBeCloseTo(Math.sqrt(((2 / 3) ** 2 + 2 * (1 / 3) ** 2) / 2));
    expect(group!.advantages[0]).toBeCloseTo((1 - 1 / 3) / group!.std);
    const [flat] = rlGroups([item("a", 1, 1), item("a", 2, 1)]);
    expect(flat!.advantages).toEqual([0, 0]);
    const [single] = rlGroups([item("a", 1, 0.5)]);
    expect(single).toMatchObject({ std: 0, advantages: [0] });
  });
});
