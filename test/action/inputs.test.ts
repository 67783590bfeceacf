import { describe, expect, it } from "vitest";
import { describeEvent, onDefaultBranch } from "../../action/event.js";
import { defaultMode, parseInputs } from "../../action/inputs.js";

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? "";

describe("parseInputs", () => {
  it("gives the documented defaults when nothing is set", () => {
    const inputs = parseInputs(reader({}));
    expect(inputs).toMatchObject({
      mode: null,
      agent: null,
      attempts: 1,
      sample: null,
      seed: 1,
      shard: null,
      jobs: 2,
      timeoutSeconds: 1800,
      comment: true,
      commentKey: "default",
      historyBranch: null,
      resultsPath: "repogym-results",
      scenariosBranch: "repogym/scenarios",
      failBelow: null,
      maxRegression: null,
    });
  });

  it("parses every kind of value", () => {
    const inputs = parseInputs(
      reader({
        mode: "evaluate",
        agent: "claude",
        env: "ANTHROPIC_API_KEY, OTHER_KEY\nTHIRD",
        attempts: "3",
        sample: "20",
        seed: "0",
        shard: "2/4",
        sandbox: "bwrap",
        network: "on",
        comment: "false",
        "history-branch": "repogym-data",
        "fail-below": "0.5",
        "max-regression": "0.05",
      }),
    );
    expect(inputs).toMatchObject({
      mode: "evaluate",
      agent: "claude",
      env: ["ANTHROPIC_API_KEY", "OTHER_KEY", "THIRD"],
      attempts: 3,
      sample: 20,
      seed: 0,
      shard: { index: 2, count: 4 },
      sandbox: "bwrap",
      network: true,
      comment: false,
      historyBranch: "repogym-data",
      failBelow: 0.5,
      maxRegression: 0.05,
    });
  });

  it.each([
    ["mode", "deploy", /input mode: expected evaluate, mine/],
    ["attempts", "0", /input attempts: expected a whole number from 1/],
    ["attempts", "two", /input attempts/],
    ["shard", "5/4", /input shard: expected 1 <= i <= n/],
    ["shard", "1of4", /input shard: expected i\/n/],
    ["fail-below", "1.5", /input fail-below: expected a number from 0 to 1/],
    ["sandbox", "vm", /input sandbox: expected bwrap, docker or none/],
    ["network", "yes", /input network: expected on or off/],
    ["comment", "maybe", /input comment: expected true or false/],
    ["comment-key", "a b", /input comment-key/],
    ["env", "GOOD, bad-name", /input env: expected environment variable names, got "bad-name"/],
    ["history-branch", "../main", /input history-branch/],
  ])("rejects %s=%s with one message naming the input", (name, value, message) => {
    expect(() => parseInputs(reader({ [name]: value }))).toThrow(message);
  });

  it("picks the mode from the event", () => {
    expect(defaultMode("pull_request")).toBe("evaluate");
    expect(defaultMode("workflow_run")).toBe("report");
    expect(defaultMode("push")).toBe("mine");
    expect(defaultMode("schedule")).toBe("mine");
    expect(defaultMode("workflow_dispatch")).toBe("mine");
  });
});

describe("describeEvent", () => {
  const sha = "a".repeat(40);
  const pull = (headRepo: string) => ({
    number: 7,
    pull_request: {
      number: 7,
      title: "Fix it",
      body: null,
      head: { sha: "b".repeat(40), ref: "fix", repo: { full_name: headRepo } },
      base: { sha: "c".repeat(40), ref: "main" },
    },
    repository: { default_branch: "main", full_name: "acme/calc" },
  });

  it("reads a same-repository pull request", () => {
    const event = describeEvent({
      eventName: "pull_request",
      payload: pull("acme/calc"),
      repository: "acme/calc",
      sha,
      ref: "refs/pull/7/merge",
    });
    expect(event.pull).toEqual({
      number: 7,
      head_sha: "b".repeat(40),
      head_ref: "fix",
      base_sha: "c".repeat(40),
      base_ref: "main",
      head_repo: "acme/calc",
      fork: false,
    });
    expect(event.pullPayload).toEqual({ title: "Fix it", body: null });
    expect(onDefaultBranch(event)).toBe(false);
  });

  it("marks a fork's pull request", () => {
    const event = describeEvent({
      eventName: "pull_request",
      payload: pull("stranger/calc"),
      repository: "acme/calc",
      sha,
      ref: "refs/pull/7/merge",
    });
    expect(event.pull?.fork).toBe(true);
  });

  it("knows a push to the default branch", () => {
    const event = describeEvent({
      eventName: "push",
      payload: { repository: { default_branch: "main" } },
      repository: "acme/calc",
      sha,
      ref: "refs/heads/main",
    });
    expect(event.branch).toBe("main");
    expect(onDefaultBranch(event)).toBe(true);
  });

  it("refuses a repository that is not owner/name", () => {
    expect(() => describeEvent({ eventName: "push", payload: {}, repository: "", sha, ref: "" })).toThrow(
      /GITHUB_REPOSITORY: expected owner\/name/,
    );
  });
});
