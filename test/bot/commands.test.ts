import { describe, expect, it } from "vitest";
import { HELP } from "../../bot/messages.js";
import type { FakeRepo } from "../helpers/fake-github/index.js";
import { type Harness, harnessPerTest } from "./harness.js";
import { commentPayload, createCalcRepo, openPull } from "./world.js";

const start = harnessPerTest();

async function setup(options: { config?: string; workflow?: boolean } = {}): Promise<{
  h: Harness;
  repo: FakeRepo;
  pr: { number: number; sha: string };
}> {
  const h = await start();
  const repo = createCalcRepo(h, options);
  const pr = openPull(repo, "feature", { "src/calc.js": "export const add = (a, b) => a - b;\n" });
  return { h, repo, pr };
}

describe("/repogym commands", () => {
  it("a maintainer's `/repogym run` dispatches the run pinned to the head at that moment, and reacts 🚀", async () => {
    const { h, repo, pr } = await setup();
    const { payload, commentId } = commentPayload(repo, {
      number: pr.number,
      body: "Looks good.\n/repogym run codex attempts=2 sample=5\nthanks",
      login: "maintainer",
    });
    const before = h.mark();
    const delivery = await h.deliver("issue_comment", payload);
    expect(delivery.status).toBe(200);
    expect(delivery.ms).toBeLessThan(5000);
    expect(h.ops(before)).toEqual([
      "GET repos/get-content",
      "GET repos/get-collaborator-permission-level",
      "GET pulls/get",
      "POST actions/create-workflow-dispatch",
      "POST reactions/create-for-issue-comment",
    ]);
    expect(repo.workflowDispatches.map((d) => ({ ref: d.ref, inputs: d.inputs, by: d.by.login }))).toEqual([
      {
        ref: "main",
        inputs: {
          command: "run",
          pr: String(pr.number),
          sha: pr.sha,
          agent: "codex",
          attempts: "2",
          sample: "5",
        },
        by: "repogym[bot]",
      },
    ]);
    expect(repo.comments.get(commentId)?.reactions.map((r) => r.content)).toEqual(["rocket"]);

    // Pushed after the command: the dispatched run stays on the approved commit.
    repo.commitFiles("feature", { "src/calc.js": "export const add = () => 0;\n" });
    expect(repo.workflowDispatches[0]?.inputs.sha).toBe(pr.sha);
  });

  it("anyone without write access gets one polite reply, and nothing runs", async () => {
    const { h, repo, pr } = await setup();
    for (const login of ["drive-by", "reader"]) {
      const { payload, commentId } = commentPayload(repo, { number: pr.number, body: "/repogym run", login });
      const before = h.mark();
      expect((await h.deliver("issue_comment", payload)).status).toBe(200);
      expect(h.ops(before)).toEqual([
        "GET repos/get-content",
        "GET repos/get-collaborator-permission-level",
        "POST issues/create-comment",
      ]);
      expect(repo.comments.get(commentId)?.reactions).toEqual([]);
      expect(repo.commentsOn(pr.number).at(-1)?.body).toMatch(
        new RegExp(`^Thanks @${login}! Only people with write access .* nothing was run`),
      );
    }
    expect(repo.workflowDispatches).toEqual([]);
  });

  it("a comment without a command, a quoted one, one in a code block and a bot's make no call at all", async () => {
    const { h, repo, pr } = await setup();
    const before = h.mark();
    for (const [body, login, senderType] of [
      ["Nice work, ship it", "maintainer", "User"],
      ["> /repogym run\nquoting the docs", "maintainer", "User"],
      ["```\n/repogym run\n```", "maintainer", "User"],
      ["try /repogym run", "maintainer", "User"],
      ["/repogym run", "repogym[bot]", "Bot"],
    ] as const) {
      const { payload } = commentPayload(repo, { number: pr.number, body, login, senderType });
      expect((await h.deliver("issue_comment", payload)).status).toBe(200);
    }
    expect(h.calls(before)).toEqual([]);
  });

  it("a redelivered command does nothing the second time", async () => {
    const { h, repo, pr } = await setup();
    const { payload } = commentPayload(repo, {
      number: pr.number,
      body: "/repogym mine",
      login: "maintainer",
    });
    expect((await h.deliver("issue_comment", payload, { id: "delivery-1" })).status).toBe(200);
    const before = h.mark();
    expect((await h.deliver("issue_comment", payload, { id: "delivery-1" })).status).toBe(200);
    expect(h.calls(before)).toEqual([]);
    expect(repo.workflowDispatches.map((d) => d.inputs)).toEqual([{ command: "mine" }]);
    expect(h.logs.some((l) => /delivery-1 \(issue_comment\) was handled before/.test(l.msg))).toBe(true);
  });

  it("help answers with the commands; a malformed command gets 😕 and what was wrong", async () => {
    const { h, repo, pr } = await setup();
    const help = commentPayload(repo, { number: pr.number, body: "/repogym help", login: "maintainer" });
    await h.deliver("issue_comment", help.payload);
    expect(repo.commentsOn(pr.number).at(-1)?.body).toBe(HELP);

    const bad = commentPayload(repo, {
      number: pr.number,
      body: "/repogym run attempts=99",
      login: "maintainer",
    });
    const before = h.mark();
    await h.deliver("issue_comment", bad.payload);
    expect(h.ops(before)).toEqual([
      "GET repos/get-content",
      "GET repos/get-collaborator-permission-level",
      "POST reactions/create-for-issue-comment",
      "POST issues/create-comment",
    ]);
    expect(repo.comments.get(bad.commentId)?.reactions.map((r) => r.content)).toEqual(["confused"]);
    expect(repo.commentsOn(pr.number).at(-1)?.body).toContain("attempts must be a whole number from 1 to 10");
    expect(repo.workflowDispatches).toEqual([]);
  });

  it("`run` on an issue says it needs a pull request; `mine` on an issue dispatches mining", async () => {
    const { h, repo } = await setup();
    const issue = repo.addIssue({ title: "Mining" });
    const run = commentPayload(repo, {
      number: issue.number,
      body: "/repogym run",
      login: "maintainer",
      pull: false,
    });
    await h.deliver("issue_comment", run.payload);
    expect(repo.commentsOn(issue.number).at(-1)?.body).toContain("`run` works on pull requests");
    const mine = commentPayload(repo, {
      number: issue.number,
      body: "/repogym mine",
      login: "maintainer",
      pull: false,
    });
    await h.deliver("issue_comment", mine.payload);
    expect(repo.workflowDispatches.map((d) => d.inputs)).toEqual([{ command: "mine" }]);
    expect(repo.comments.get(mine.commentId)?.reactions.map((r) => r.content)).toEqual(["rocket"]);
  });

  it("without the workflow: 😕 and a reply saying which file to add", async () => {
    const { h, repo, pr } = await setup({ workflow: false });
    const { payload, commentId } = commentPayload(repo, {
      number: pr.number,
      body: "/repogym run",
      login: "maintainer",
    });
    expect((await h.deliver("issue_comment", payload)).status).toBe(200);
    expect(repo.comments.get(commentId)?.reactions.map((r) => r.content)).toEqual(["confused"]);
    expect(repo.commentsOn(pr.number).at(-1)?.body).toMatch(
      /could not start the workflow: acme\/calc has no workflow \.github\/workflows\/repogym\.yml on main: add \.github\/workflows\/repogym\.yml \(see the README/,
    );
    expect(h.logs.some((l) => l.level === "warn" && /has no workflow/.test(l.msg))).toBe(true);
  });

  it("dry run: reads only, and logs each write it would have made", async () => {
    const { h, repo, pr } = await setup({ config: "bot:\n  dry_run: true\n" });
    const { payload } = commentPayload(repo, {
      number: pr.number,
      body: "/repogym run",
      login: "maintainer",
    });
    const before = h.mark();
    expect((await h.deliver("issue_comment", payload)).status).toBe(200);
    expect(h.writes(before)).toEqual([]);
    expect(repo.workflowDispatches).toEqual([]);
    const dry = h.logs.filter((l) => l.msg.startsWith("dry run: would")).map((l) => l.msg);
    expect(dry).toEqual([
      `dry run: would dispatch repogym.yml on main with {"command":"run","pr":"${pr.number}","sha":"${pr.sha}"} in acme/calc`,
      expect.stringMatching(/^dry run: would react rocket to comment \d+ in acme\/calc$/),
    ]);
    // A refusal is a write too.
    const stranger = commentPayload(repo, { number: pr.number, body: "/repogym run", login: "drive-by" });
    const later = h.mark();
    await h.deliver("issue_comment", stranger.payload);
    expect(h.writes(later)).toEqual([]);
  });

  it("commands: false in the config turns commands off", async () => {
    const { h, repo, pr } = await setup({ config: "bot:\n  commands: false\n" });
    const { payload } = commentPayload(repo, {
      number: pr.number,
      body: "/repogym run",
      login: "maintainer",
    });
    const before = h.mark();
    await h.deliver("issue_comment", payload);
    expect(h.ops(before)).toEqual(["GET repos/get-content"]);
  });

  it("a config that does not parse: the maintainer is told what is wrong, nothing runs", async () => {
    const { h, repo, pr } = await setup({ config: "bot:\n  dry_rn: true\n" });
    const { payload } = commentPayload(repo, {
      number: pr.number,
      body: "/repogym run",
      login: "maintainer",
    });
    await h.deliver("issue_comment", payload);
    expect(repo.workflowDispatches).toEqual([]);
    expect(repo.commentsOn(pr.number).at(-1)?.body).toMatch(
      /repogym cannot act on this repository: acme\/calc@main:\.repogym\/config\.yml: .*dry_rn/,
    );
  });
});
