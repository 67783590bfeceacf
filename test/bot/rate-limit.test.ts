import { describe, expect, it } from "vitest";
import { harnessPerTest } from "./harness.js";
import { commentPayload, createCalcRepo, openPull } from "./world.js";

const start = harnessPerTest();

/**
 * The app's Octokit as it runs in production (throttling on: writes are a second apart), with
 * GitHub's waits shrunk from seconds to milliseconds.
 */
async function setup(rateLimitRetries?: number) {
  const h = await start({
    octokit: {
      throttle: true,
      retryAfterBaseValue: 10,
      ...(rateLimitRetries === undefined ? {} : { rateLimitRetries }),
    },
  });
  const repo = createCalcRepo(h);
  const pr = openPull(repo, "feature", { "src/calc.js": "x\n" });
  const command = commentPayload(repo, { number: pr.number, body: "/repogym mine", login: "maintainer" });
  return { h, repo, pr, command };
}

const DISPATCH = "actions/create-workflow-dispatch";

describe("rate limits and GitHub failures", () => {
  it("a primary rate limit (403, remaining 0) is waited out and the dispatch happens once", async () => {
    const { h, repo, command } = await setup();
    const fault = h.fake.injectFault({
      operationId: DISPATCH,
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000)) },
      body: {
        message: "API rate limit exceeded for installation ID 77.",
        documentation_url: "https://docs.github.com/rest",
      },
    });
    expect((await h.deliver("issue_comment", command.payload)).status).toBe(200);
    expect(fault.hits).toBe(1);
    expect(h.fake.requestsFor(DISPATCH).map((r) => r.status)).toEqual([403, 204]);
    expect(repo.workflowDispatches).toHaveLength(1);
    expect(
      h.logs.some(
        (l) => l.level === "warn" && /GitHub's rate limit on POST .*: retrying in \d+s/.test(l.msg),
      ),
    ).toBe(true);
  });

  it("a secondary rate limit (429, retry-after) is waited out and the dispatch happens once", async () => {
    const { h, repo, command } = await setup();
    h.fake.injectFault({
      operationId: DISPATCH,
      status: 429,
      headers: { "retry-after": "1" },
      body: {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      },
    });
    expect((await h.deliver("issue_comment", command.payload)).status).toBe(200);
    expect(h.fake.requestsFor(DISPATCH).map((r) => r.status)).toEqual([429, 204]);
    expect(repo.workflowDispatches).toHaveLength(1);
    expect(h.logs.some((l) => /secondary rate limit on POST .*: retrying in 1s/.test(l.msg))).toBe(true);
  });

  it("a 500 is retried", async () => {
    const { h, repo, command } = await setup();
    h.fake.injectFault({ operationId: "repos/get-collaborator-permission-level", status: 500, times: 2 });
    expect((await h.deliver("issue_comment", command.payload)).status).toBe(200);
    expect(h.fake.requestsFor("repos/get-collaborator-permission-level").map((r) => r.status)).toEqual([
      500, 500, 200,
    ]);
    expect(repo.workflowDispatches).toHaveLength(1);
  });

  it("when the limit outlasts the retries, the delivery fails with a fix-it line, and a redelivery works", async () => {
    const { h, repo, command } = await setup(1);
    h.fake.injectFault({
      operationId: DISPATCH,
      status: 429,
      times: 2,
      headers: { "retry-after": "1" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    const failed = await h.deliver("issue_comment", command.payload, { id: "d-1" });
    expect(failed.status).toBe(500);
    expect(repo.workflowDispatches).toEqual([]);
    expect(
      h.logs.some(
        (l) =>
          l.level === "error" &&
          /issue_comment \(delivery d-1\) failed: dispatching .* 429 You have exceeded a secondary rate limit\. \(GitHub's rate limit: .*redeliver the event/.test(
            l.msg,
          ),
      ),
    ).toBe(true);
    // GitHub recovered; the owner redelivers the event: it runs, once.
    expect((await h.deliver("issue_comment", command.payload, { id: "d-1" })).status).toBe(200);
    expect(repo.workflowDispatches).toHaveLength(1);
    expect(h.fake.requestsFor(DISPATCH).map((r) => r.status)).toEqual([429, 429, 204]);
  });
});
