import { describe, expect, it } from "vitest";
import { parseScoreRequest } from "../../cli/serve/protocol.js";
import { attemptNumbers } from "../../cli/serve/score-batch.js";

const limits = { maxBatch: 3, maxTimeoutS: 60, scenarioIds: new Set(["acme__calc-1", "acme__calc-2"]) };
const parse = (body: unknown) =>
  parseScoreRequest(typeof body === "string" ? body : JSON.stringify(body), limits);
const item = { instance_id: "acme__calc-1", patch: "" };

describe("parseScoreRequest", () => {
  it("accepts a batch, with optional model, request ids (string or number), timeout and null patches", () => {
    const body = {
      items: [
        { ...item, model_name_or_path: "m", request_id: "a" },
        { instance_id: "acme__calc-2", patch: null, request_id: 7 },
      ],
      timeout_s: 1.5,
    };
    expect(parse(body)).toEqual({ ok: true, request: body });
  });

  it.each([
    ["not JSON", "{items:", /^body: not valid JSON \(/],
    ["not an object", "[]", /^field \(root\): Invalid input: expected object, received array$/],
    ["no items", {}, /^field items: Invalid input: expected array, received undefined$/],
    ["no items at all", { items: [] }, /^field items: Too small: expected array to have >=1 items$/],
    ["a missing patch", { items: [{ instance_id: "acme__calc-1" }] }, /^field items\[0\]\.patch: /],
    [
      "a patch of the wrong type",
      { items: [item, { ...item, patch: 5 }] },
      /^field items\[1\]\.patch: Invalid input: expected string, received number$/,
    ],
    ["an unknown field", { items: [item], timeout: 5 }, /^field \(root\): Unrecognized key: "timeout"$/],
    [
      "an unknown field in an item",
      { items: [{ ...item, model_patch: "" }] },
      /^field items\[0\]: Unrecognized key: "model_patch"$/,
    ],
    [
      "too many items",
      { items: [item, item, item, item] },
      /^field items: at most 3 items per request, got 4/,
    ],
    ["a zero time limit", { items: [item], timeout_s: 0 }, /^field timeout_s: Too small/],
    [
      "a time limit over the server's",
      { items: [item], timeout_s: 61 },
      /^field timeout_s: at most 60 \(the server's --timeout\), got 61$/,
    ],
    [
      "an unknown scenario",
      { items: [item, { ...item, instance_id: "nope" }] },
      /^field items\[1\]\.instance_id: no scenario "nope" in the suite \(the suite has 2 scenarios; nothing was scored\)$/,
    ],
  ])("refuses %s, naming the field", (_, body, message) => {
    const parsed = parse(body);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.error).toMatch(message);
  });

  it("lists at most five problems", () => {
    const items = Array.from({ length: 3 }, () => ({ instance_id: 1, patch: 2, request_id: [] }));
    const parsed = parse({ items });
    expect(parsed.ok ? "" : parsed.error).toMatch(/; field items\[1\]\.instance_id: .* \(and 4 more\)$/);
  });
});

describe("attemptNumbers", () => {
  it("counts each scenario's items 1, 2, ... in item order", () => {
    expect(attemptNumbers(["a", "b", "a", "a", "b"].map((instance_id) => ({ instance_id })))).toEqual([
      1, 1, 2, 3, 2,
    ]);
  });
});
