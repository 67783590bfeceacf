import { describe, expect, it } from "vitest";
import {
  fixed,
  formatCost,
  formatDuration,
  formatInteger,
  formatTokens,
  percent,
  plural,
  shortSha,
  signed,
  signedPoints,
  truncate,
} from "../../report/format.js";
import { escapeHtml } from "../../report/html-escape.js";
import { code, escapeMarkdown, link, safeUrl, table } from "../../report/markdown.js";

describe("escapeMarkdown", () => {
  it("turns HTML into entities, so no tag, comment or entity trick survives", () => {
    expect(escapeMarkdown("<img src=x onerror=alert(1)>")).toBe("&lt;img src=x onerror=alert(1)&gt;");
    expect(escapeMarkdown("<!-- hide the rest")).toBe("&lt;!-- hide the rest");
    // An entity is shown as typed, never decoded into a tag or a mention.
    expect(escapeMarkdown("&lt;b&gt; &#64;everyone")).toBe("&amp;lt;b&amp;gt; &amp;#&#8203;64;everyone");
  });

  it("escapes the punctuation of links, images, emphasis, code, tables, strikethrough and math", () => {
    expect(escapeMarkdown("[x](javascript:alert(1))")).toBe("\\[x\\](javascript:alert(1))");
    expect(escapeMarkdown("![x](https://evil)")).toBe("!\\[x\\](https:&#8203;//evil)");
    expect(escapeMarkdown("**a** _b_ `c` ~~d~~ a|b $x$ \\")).toBe(
      "\\*\\*a\\*\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~ a\\|b \\$x\\$ \\\\",
    );
  });

  it("breaks mentions, issue references and autolinks with a zero-width space", () => {
    expect(escapeMarkdown("@everyone and @acme/team")).toBe("@&#8203;everyone and @&#8203;acme/team");
    expect(escapeMarkdown("fixes #12 and acme/other#3, not #x")).toBe(
      "fixes #&#8203;12 and acme/other#&#8203;3, not #x",
    );
    expect(escapeMarkdown("see https://evil.example and www.evil.example")).toBe(
      "see https:&#8203;//evil.example and www&#8203;.evil.example",
    );
  });

  it("keeps the text on one line and drops invisible and reordering characters", () => {
    expect(escapeMarkdown("a\nb\r\n\tc\u2028d")).toBe("a b c d");
    expect(escapeMarkdown("ab\u202ecd\u200b\u2066e\ufeff")).toBe("abcde");
    expect(escapeMarkdown("  padded  ")).toBe("padded");
  });

  it("escapes block markers at the start, so the text can start a line", () => {
    expect(escapeMarkdown("# title")).toBe("\\# title");
    expect(escapeMarkdown("- item")).toBe("\\- item");
    expect(escapeMarkdown("+ item")).toBe("\\+ item");
    expect(escapeMarkdown("1. item")).toBe("1\\. item");
    expect(escapeMarkdown("2) item")).toBe("2\\) item");
    expect(escapeMarkdown("---")).toBe("\\---");
    expect(escapeMarkdown("> quote")).toBe("&gt; quote");
    // Numbers and words that merely start like markers are left alone.
    expect(escapeMarkdown("+0.100")).toBe("+0.100");
    expect(escapeMarkdown("-0.5 drop")).toBe("-0.5 drop");
    expect(escapeMarkdown("#hashtag")).toBe("#hashtag");
    expect(escapeMarkdown("1.5x faster")).toBe("1.5x faster");
  });

  it("leaves ordinary text as it is", () => {
    expect(escapeMarkdown("claude-code 1.2.3 (sonnet), 50% done; a.b/c")).toBe(
      "claude-code 1.2.3 (sonnet), 50% done; a.b/c",
    );
  });
});

describe("code, links and tables", () => {
  it("puts only identifiers in code spans", () => {
    expect(code("acme__calc-0123abc")).toBe("`acme__calc-0123abc`");
    expect(code("a`b")).toBe("a\\`b");
    expect(code("release/1.x")).toBe("release/1.x");
    expect(code("- rf")).toBe("\\- rf");
  });

  it("links only http(s) URLs without credentials, percent-encoding what could end the link", () => {
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("data:text/html,x")).toBeNull();
    expect(safeUrl("https://user:pw@example.com/")).toBeNull();
    expect(safeUrl("not a url")).toBeNull();
    expect(safeUrl(undefined)).toBeNull();
    expect(safeUrl("https://example.com/a b)c|d_e*f")).toBe("https://example.com/a%20b%29c%7Cd%5Fe%2Af");
    expect(link("run", "https://github.com/a/b/actions/runs/1")).toBe(
      "[run](https://github.com/a/b/actions/runs/1)",
    );
    expect(link("run", "javascript:alert(1)")).toBe("run");
  });

  it("builds aligned tables and keeps stray line breaks out of cells", () => {
    expect(
      table(
        ["a", "b"],
        [
          ["1", ""],
          ["x\ny", "2"],
        ],
        ["left", "right"],
      ),
    ).toBe("| a | b |\n|---|--:|\n| 1 |   |\n| x y | 2 |");
  });
});

describe("number formatting", () => {
  it("formats fixed, percent and signed numbers", () => {
    expect(fixed(0.61666)).toBe("0.617");
    expect(fixed(null)).toBe("n/a");
    expect(fixed(Number.NaN)).toBe("n/a");
    expect(percent(0.5)).toBe("50.0%");
    expect(percent(undefined)).toBe("n/a");
    expect(signed(0.1)).toBe("+0.100");
    expect(signed(-0.05)).toBe("-0.050");
    expect(signed(-0.0001)).toBe("+0.000");
    expect(signedPoints(-0.063)).toBe("-6.3 pts");
  });

  it("formats durations", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(999.7)).toBe("1s");
    expect(formatDuration(42_400)).toBe("42s");
    expect(formatDuration(59_600)).toBe("1m 00s");
    expect(formatDuration(65_000)).toBe("1m 05s");
    expect(formatDuration(3_599_000)).toBe("59m 59s");
    expect(formatDuration(7_380_000)).toBe("2h 03m");
    expect(formatDuration(-1)).toBe("n/a");
  });

  it("formats costs, counts, tokens and shas", () => {
    expect(formatCost(0.0123)).toBe("$0.0123");
    expect(formatCost(0)).toBe("$0.0000");
    expect(formatCost(12.345)).toBe("$12.35");
    expect(formatCost(null)).toBe("n/a");
    expect(formatInteger(1234567)).toBe("1,234,567");
    expect(formatInteger(999)).toBe("999");
    expect(formatTokens(9_999)).toBe("9,999");
    expect(formatTokens(12_345)).toBe("12.3k");
    expect(formatTokens(4_200_000)).toBe("4.2M");
    expect(shortSha("0123456789abcdef0123456789abcdef01234567")).toBe("0123456");
    expect(shortSha("<script>")).toBe("unknown");
    expect(plural(1, "scenario")).toBe("1 scenario");
    expect(plural(3000, "scenario")).toBe("3,000 scenarios");
  });

  it("truncates without splitting a surrogate pair", () => {
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
    expect(truncate("😀😀😀", 2)).toBe("😀…");
  });
});

describe("escapeHtml", () => {
  it("escapes content and attribute delimiters and drops control characters", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>\u0000\u202e`)).toBe(
      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});
