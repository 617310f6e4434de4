/**
 * How the figures of cases that differ only in their number of connections
 * (the heartbeat cases) grow with it: the medians at the smallest and the
 * largest count, their ratio, and the ratio linear growth would give, which
 * is the ratio of the counts for a total and 1 for a figure per connection.
 */
import { formatFigure, markdownTable, summarize, type Row } from "./report";

/** A case of a scaling group: its name in the rows, and its number of connections. */
export interface ScaledCase {
  caseName: string;
  group: string;
  count: number;
}

const TARGETS = ["core", "ours", "bare"] as const;

const times = (ratio: number): string => `${ratio.toFixed(2)}×`;

/** One Markdown table per group that ran at two counts or more; "" when none did. */
export function scalingTables(rows: readonly Row[], cases: readonly ScaledCase[]): string {
  const groups = [...new Set(cases.map((scaled) => scaled.group))];
  return groups
    .map((group) => scalingTable(rows, cases.filter((scaled) => scaled.group === group)))
    .filter((table) => table !== "")
    .join("\n\n");
}

function scalingTable(rows: readonly Row[], cases: readonly ScaledCase[]): string {
  const sorted = [...cases].sort((a, b) => a.count - b.count);
  const small = sorted[0];
  const large = sorted[sorted.length - 1];
  if (!small || !large || small === large) {
    return "";
  }
  const countRatio = large.count / small.count;
  const lines: string[][] = [];
  for (const row of rows.filter((candidate) => candidate.caseName === small.caseName)) {
    const other = rows.find((candidate) => candidate.caseName === large.caseName && candidate.metric === row.metric);
    for (const target of TARGETS) {
      const at = summarize(row.samples[target]);
      const atLarge = other && summarize(other.samples[target]);
      if (!at || !atLarge || at.median === 0) {
        continue;
      }
      const ratio = times(atLarge.median / at.median);
      lines.push([row.metric, target, formatFigure(at.median), formatFigure(atLarge.median), ratio, times(row.growsWithCount ? countRatio : 1)]);
    }
  }
  const at = (count: number): string => `at ${count.toLocaleString("en-US")}`;
  return markdownTable(["metric", "target", at(small.count), at(large.count), "ratio", "if linear"], lines);
}
