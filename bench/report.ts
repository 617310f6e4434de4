/** Summaries of repeated runs, and the table the benchmark prints. */

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(values: number[]): Summary | undefined {
  if (values.length === 0) {
    return undefined;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** One metric of one case, with the samples of each implementation. */
export interface Row {
  caseName: string;
  metric: string;
  /** Whether a higher value is better (for the reader; the ratio is always ours/core). */
  higherIsBetter: boolean;
  samples: Record<"core" | "ours" | "bare", number[]>;
  /** Set for a total that should grow in proportion to the connections (see scaling.ts). */
  growsWithCount?: boolean;
}

/** A figure as the tables print it: whole from 100 up (thousands separated), one decimal from 10, else two. */
export function formatFigure(value: number): string {
  if (value >= 100) {
    return Math.round(value).toLocaleString("en-US");
  }
  if (value >= 10) {
    return value.toFixed(1);
  }
  return value.toFixed(2);
}

/** "median [min-max]", or nothing where there were no runs. */
export function cell(summary: Summary | undefined): string {
  if (!summary) {
    return "";
  }
  return `${formatFigure(summary.median)} [${formatFigure(summary.min)}-${formatFigure(summary.max)}]`;
}

/** A Markdown table: medians with min-max, the ratio ours/core, and the bare `ws` limit. */
export function table(rows: Row[]): string {
  const header = ["case", "metric", "core", "ours", "ours/core", "bare ws"];
  const lines = rows.map((row) => {
    const core = summarize(row.samples.core);
    const ours = summarize(row.samples.ours);
    const ratio = core && ours && core.median !== 0 ? `${(ours.median / core.median).toFixed(2)}×` : "";
    return [row.caseName, metricLabel(row), cell(core), cell(ours), ratio, cell(summarize(row.samples.bare))];
  });
  return markdownTable(header, lines);
}

/** The metric's name and which way is better. */
export function metricLabel(row: { metric: string; higherIsBetter: boolean }): string {
  return `${row.metric} (${row.higherIsBetter ? "higher" : "lower"} is better)`;
}

/** A Markdown table with its columns padded to line up in a terminal. */
export function markdownTable(header: string[], lines: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const render = (cells: string[]): string => `| ${cells.map((text, i) => text.padEnd(widths[i]!)).join(" | ")} |`;
  return [render(header), render(widths.map((width) => "-".repeat(width))), ...lines.map(render)].join("\n");
}
