/** The test frameworks repogym has adapters for (runner/test-adapters/, one file each). */
export const FRAMEWORKS = ["vitest", "jest", "mocha", "node-test", "ava", "tape", "tap"] as const;
export type FrameworkName = (typeof FRAMEWORKS)[number];
