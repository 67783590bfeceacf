/**
 * The Runloop export against the types @runloop/api-client publishes: at compile time (`tsc`
 * fails when our body or our runtime schema drifts from ScenarioCreateParams), and at run time
 * through the client itself (the official scenario builder produces the same scoring contract,
 * and `scenarios.create` sends our body unchanged).
 */

import { RunloopSDK } from "@runloop/api-client";
import type {
  ScenarioCreateParams,
  ScoringFunction,
} from "@runloop/api-client/resources/scenarios/scenarios.js";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { ExportScenario } from "../../curriculum/context.js";
import { type RunloopScenario, toRunloopScenario } from "../../curriculum/runloop.js";
import { solveRates } from "../../curriculum/solve-rate.js";
import { scenario } from "./fixtures.js";
import { RunloopScenarioCreateSchema } from "./format-schemas.js";

function body(): RunloopScenario {
  const s = scenario(1);
  const item: ExportScenario = {
    scenario: s,
    stats: solveRates([s.instance_id], [{ instance_id: s.instance_id, reward: 1, resolved: true }]).get(
      s.instance_id,
    )!,
    split: "train",
  };
  const made = toRunloopScenario(item, "repogym test");
  if ("skipped" in made) throw new Error(made.skipped);
  return made;
}

describe("Runloop scenario bodies and @runloop/api-client", () => {
  it("are assignable to ScenarioCreateParams, and so is everything the runtime schema accepts", () => {
    expectTypeOf<RunloopScenario>().toExtend<ScenarioCreateParams>();
    expectTypeOf<z.output<typeof RunloopScenarioCreateSchema>>().toExtend<ScenarioCreateParams>();
    expectTypeOf<
      RunloopScenario["scoring_contract"]["scoring_function_parameters"][number]
    >().toExtend<ScoringFunction>();
    const params: ScenarioCreateParams = body();
    expect(RunloopScenarioCreateSchema.parse(params)).toEqual(params);
  });

  it("the schema rejects what the API rejects: weights that do not sum to 1, non-string metadata, bad names", () => {
    const good = body();
    const fn = good.scoring_contract.scoring_function_parameters[0]!;
    const bad = [
      { ...good, scoring_contract: { scoring_function_parameters: [{ ...fn, weight: 0.5 }] } },
      { ...good, metadata: { ...good.metadata, rollouts: 3 } },
      { ...good, scoring_contract: { scoring_function_parameters: [{ ...fn, name: "tests and more" }] } },
      { ...good, scoring_contract: { scoring_function_parameters: [] } },
      { ...good, extra: true },
    ];
    for (const candidate of bad) expect(RunloopScenarioCreateSchema.safeParse(candidate).success).toBe(false);
  });

  it("the official scenario builder makes the same scoring contract, metadata and reference output", () => {
    const ours = body();
    const fn = ours.scoring_contract.scoring_function_parameters[0]!;
    const sdk = new RunloopSDK({ bearerToken: "test-token" });
    const built = sdk.scenario
      .builder(ours.name)
      .withProblemStatement(ours.input_context.problem_statement)
      .withAdditionalContext(ours.input_context.additional_context)
      .withWorkingDirectory(ours.environment_parameters.working_directory)
      .addTestCommandScorer(fn.name, {
        test_command: fn.scorer.test_command,
        test_files: fn.scorer.test_files,
      })
      .withMetadata(ours.metadata)
      .withReferenceOutput(ours.reference_output)
      .build();
    expect(built.name).toBe(ours.name);
    expect(built.input_context).toEqual(ours.input_context);
    expect(built.scoring_contract).toEqual(ours.scoring_contract);
    expect(built.metadata).toEqual(ours.metadata);
    expect(built.reference_output).toBe(ours.reference_output);
    expect(built.environment_parameters?.working_directory).toBe(
      ours.environment_parameters.working_directory,
    );
  });

  it("scenarios.create sends the body unchanged to POST /v1/scenarios", async () => {
    const ours = body();
    const sent: Array<{ url: string; method: string; body: unknown }> = [];
    const fakeFetch = async (url: string, init?: { method?: string; body?: unknown }) => {
      sent.push({ url: String(url), method: init?.method ?? "GET", body: JSON.parse(String(init?.body)) });
      return new Response(JSON.stringify({ id: "scn_1", ...ours, status: "active" }), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    };
    // The client types its fetch with node-fetch's types; the fake only needs what it reads.
    const sdk = new RunloopSDK({
      bearerToken: "test-token",
      baseURL: "http://127.0.0.1:9",
      fetch: fakeFetch as never,
    });
    const view = await sdk.api.scenarios.create(ours);
    expect(view.id).toBe("scn_1");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ url: "http://127.0.0.1:9/v1/scenarios", method: "POST" });
    expect(sent[0]!.body).toEqual(ours);
  });
});
