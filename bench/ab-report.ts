/**
 * The report of an A/B run (`--against <ref>`): for each figure, the ratio
 * of the working tree's build ("now") to the ref's build ("ref").
 */
import { cell, markdownTable, metricLabel, summarize, type Summary } from "./report";

/** How much worse than the ref a change may make a figure: the guideline is "no case may lose more than 5%". */
export const ALLOWED_LOSS = 0.05;

/** One metric of one case, with the runs of each build in repeat order: now[i] and ref[i] ran one after the other. */
export interface PairedRow {
  caseName: string;
  metric: string;
  higherIsBetter: boolean;
  now: number[];
  ref: number[];
}

/**
 * now/ref for each repeat. The two runs of a repeat are neighbours in time, so
 * their ratio leaves out most of the drift that moves both. A pair with a
 * figure at or below zero has no ratio: RSS growth can come out so, when the
 * allocator hands pages back during the run.
 */
export function pairedRatios(now: readonly number[], ref: readonly number[]): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(now.length, ref.length); i++) {
    if (now[i]! > 0 && ref[i]! > 0) {
      ratios.push(now[i]! / ref[i]!);
    }
  }
  return ratios;
}

/** How much better (above 0) or worse (below 0) now is than ref, as a fraction, for a ratio now/ref. */
export function gain(ratio: number, higherIsBetter: boolean): number {
  return higherIsBetter ? ratio - 1 : 1 - ratio;
}

function ratioCell(ratios: Summary | undefined): string {
  if (!ratios) {
    return "";
  }
  return `${ratios.median.toFixed(3)}× [${ratios.min.toFixed(3)}-${ratios.max.toFixed(3)}]`;
}

/** The median ratio in words: how much better or worse, and whether the loss is over the guideline. */
function changeCell(ratios: Summary | undefined, higherIsBetter: boolean): string {
  if (!ratios) {
    return "";
  }
  const change = gain(ratios.median, higherIsBetter);
  const percent = (Math.abs(change) * 100).toFixed(1);
  if (Number(percent) === 0) {
    return "even";
  }
  if (change > 0) {
    return `${percent}% better`;
  }
  // Judged on the rounded figure, so that what is printed and the mark agree (0.95 is 5.000…04% in floating point).
  return Number(percent) > ALLOWED_LOSS * 100 ? `${percent}% worse, over ${ALLOWED_LOSS * 100}%` : `${percent}% worse`;
}

/** A Markdown table: each build's median with min-max, the median now/ref ratio with its range over the repeats, and what it means. */
export function abTable(rows: PairedRow[]): string {
  const header = ["case", "metric", "now", "ref", "now/ref", "change"];
  const lines = rows.map((row) => {
    const ratios = summarize(pairedRatios(row.now, row.ref));
    return [row.caseName, metricLabel(row), cell(summarize(row.now)), cell(summarize(row.ref)), ratioCell(ratios), changeCell(ratios, row.higherIsBetter)];
  });
  return markdownTable(header, lines);
}
