/** Check runs, and the Actions endpoints the bot uses (workflows, dispatches, artifacts). */
import {
  errorReply,
  type HandlerContext,
  type Handlers,
  json,
  noContent,
  notFound,
  paginate,
  str,
  unprocessable,
} from "../handler.js";
import * as shapes from "../shapes.js";
import type { CheckRunState } from "../state.js";

function applyCheckRun(ctx: HandlerContext, run: CheckRunState): void {
  const b = ctx.body;
  if (str(b.name) !== undefined) run.name = str(b.name)!;
  if (b.details_url !== undefined) run.detailsUrl = str(b.details_url) ?? null;
  if (b.external_id !== undefined) run.externalId = str(b.external_id) ?? null;
  if (str(b.started_at) !== undefined) run.startedAt = str(b.started_at)!;
  if (str(b.status) !== undefined) run.status = str(b.status) as CheckRunState["status"];
  if (str(b.conclusion) !== undefined) {
    run.conclusion = str(b.conclusion)!;
    run.status = "completed";
  }
  if (run.status === "completed") run.completedAt = str(b.completed_at) ?? run.completedAt ?? ctx.state.now();
  if (run.status === "in_progress" && !run.startedAt) run.startedAt = ctx.state.now();
  const output = b.output as Record<string, unknown> | undefined;
  if (output) {
    run.output.title = str(output.title) ?? run.output.title;
    run.output.summary = str(output.summary) ?? run.output.summary;
    if (output.text !== undefined) run.output.text = str(output.text) ?? null;
    run.output.annotationsCount += Array.isArray(output.annotations) ? output.annotations.length : 0;
  }
  run.raw = { ...run.raw, ...b };
}

export const checksActionsHandlers: Handlers = {
  "checks/create": {
    permission: [["checks", "write"]],
    handle(ctx) {
      const headSha = str(ctx.body.head_sha) ?? "";
      if (!ctx.repo.git.commit(headSha)) return unprocessable(ctx, `No commit found for SHA: ${headSha}`);
      const run: CheckRunState = {
        id: ctx.state.nextId(),
        name: "",
        headSha,
        status: "queued",
        conclusion: null,
        startedAt: ctx.state.now(),
        completedAt: null,
        detailsUrl: null,
        externalId: null,
        output: { title: null, summary: null, text: null, annotationsCount: 0 },
        checkSuiteId: ctx.state.nextId(),
        raw: {},
      };
      applyCheckRun(ctx, run);
      if (run.status === "completed" && !run.conclusion) {
        return unprocessable(ctx, "Invalid request.\n\nconclusion is required when status is completed.");
      }
      ctx.repo.checkRuns.set(run.id, run);
      return json(
        201,
        shapes.checkRun(ctx.repo, run, ctx.urls, ctx.grant?.installationId ? ctx.state.app : undefined),
      );
    },
  },

  "checks/update": {
    permission: [["checks", "write"]],
    handle(ctx) {
      const run = ctx.repo.checkRuns.get(Number(ctx.params.check_run_id));
      if (!run) return notFound(ctx);
      applyCheckRun(ctx, run);
      return json(
        200,
        shapes.checkRun(ctx.repo, run, ctx.urls, ctx.grant?.installationId ? ctx.state.app : undefined),
      );
    },
  },

  "checks/get": {
    permission: [["checks", "read"]],
    handle(ctx) {
      const run = ctx.repo.checkRuns.get(Number(ctx.params.check_run_id));
      if (!run) return notFound(ctx);
      return json(
        200,
        shapes.checkRun(ctx.repo, run, ctx.urls, ctx.grant?.installationId ? ctx.state.app : undefined),
      );
    },
  },

  "actions/list-repo-workflows": {
    permission: [["actions", "read"]],
    handle(ctx) {
      const all = [...ctx.repo.workflows.values()];
      const page = paginate(ctx, all);
      return json(
        200,
        { total_count: all.length, workflows: page.items.map((w) => shapes.workflow(ctx.repo, w, ctx.urls)) },
        page.headers,
      );
    },
  },

  "actions/get-workflow": {
    permission: [["actions", "read"]],
    handle(ctx) {
      const workflow = ctx.repo.findWorkflow(ctx.params.workflow_id ?? "");
      return workflow ? json(200, shapes.workflow(ctx.repo, workflow, ctx.urls)) : notFound(ctx);
    },
  },

  "actions/create-workflow-dispatch": {
    permission: [["actions", "write"]],
    handle(ctx) {
      const workflow = ctx.repo.findWorkflow(ctx.params.workflow_id ?? "");
      if (!workflow) return notFound(ctx);
      const ref = str(ctx.body.ref) ?? "";
      if (!ctx.repo.git.resolve(ref)) return unprocessable(ctx, `No ref found for: ${ref}`);
      if (workflow.state !== "active") return unprocessable(ctx, "Workflow is disabled");
      ctx.repo.workflowDispatches.push({
        workflow,
        ref,
        inputs: (ctx.body.inputs as Record<string, unknown> | undefined) ?? {},
        by: ctx.actor,
      });
      if (ctx.body.return_run_details === true) {
        const runId = ctx.state.nextId();
        return json(200, {
          workflow_run_id: runId,
          run_url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/actions/runs/${runId}`,
          html_url: `${ctx.urls.html}/${ctx.repo.fullName}/actions/runs/${runId}`,
        });
      }
      return noContent();
    },
  },

  "actions/list-workflow-run-artifacts": {
    permission: [["actions", "read"]],
    handle(ctx) {
      const runId = Number(ctx.params.run_id);
      const name = ctx.query.name;
      const all = [...ctx.repo.artifacts.values()].filter(
        (a) => a.runId === runId && (!name || a.name === name),
      );
      const page = paginate(ctx, all);
      return json(
        200,
        { total_count: all.length, artifacts: page.items.map((a) => shapes.artifact(ctx.repo, a, ctx.urls)) },
        page.headers,
      );
    },
  },

  "actions/get-artifact": {
    permission: [["actions", "read"]],
    handle(ctx) {
      const artifact = ctx.repo.artifacts.get(Number(ctx.params.artifact_id));
      return artifact ? json(200, shapes.artifact(ctx.repo, artifact, ctx.urls)) : notFound(ctx);
    },
  },

  "actions/download-artifact": {
    permission: [["actions", "read"]],
    handle(ctx) {
      const artifact = ctx.repo.artifacts.get(Number(ctx.params.artifact_id));
      if (!artifact || ctx.params.archive_format !== "zip") return notFound(ctx);
      if (artifact.expired) return errorReply(410, "Artifact has expired", ctx.operation.documentationUrl);
      return {
        status: 302,
        headers: { location: `${ctx.urls.api}/_fake/artifacts/${ctx.repo.id}/${artifact.id}.zip` },
      };
    },
  },
};
