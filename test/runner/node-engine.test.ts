import { describe, expect, it } from "vitest";
import { engineNote } from "../../runner/node-engine.js";

describe("engineNote", () => {
  it("explains a Node version the project does not support", () => {
    expect(engineNote({ engines: { node: "^22.14.0 || >=24.0.0" } }, "v20.20.2")).toBe(
      ' (package.json engines.node is "^22.14.0 || >=24.0.0", and this is Node v20.20.2)',
    );
  });

  it.each([
    [{ engines: { node: ">=18" } }],
    [{ engines: { node: "not a range" } }],
    [{ engines: {} }],
    [{}],
    [undefined],
  ])("says nothing for %j", (pkg) => {
    expect(engineNote(pkg, "v20.20.2")).toBe("");
  });
});
