/**
 * The report of a paired run: for each figure, the ratio of the side under
 * test to its baseline. Against a ref (`--against <ref>`), the working
 * tree's build ("now") to the ref's ("ref"); in a settings A/B
 * (`--settings-ab`), ours with its listener settings at their defaults
 * ("defaults") to ours with them off ("off").
 */
import { cell, markdownTable, metricLabel, summarize, type Summary } from "./report";

/** The two sides of a paired run, as the table heads their columns, and how much worse the tested side may make a figure. */
export interface Comparison {
  readonly tested: "now" | "defaults";
  readonly baseline: "ref" | "off";
  readonly allowedLoss: number;
}

/** A change against the code before it: the guideline is "no case may lose more than 5%". */
export const AGAINST_REF: Comparison = { tested: "now", baseline: "ref", allowedLoss: 0.05 };

/** Limits, the high-water mark and authentication at their defaults may cost at most 3% against them off (issue 10). */
export const SETTINGS_AB: Comparison = { tested: "defaults", baseline: "off", allowedLoss: 0.03 };

/** One metric of one case, with the runs of each side in repeat order: tested[i] and baseline[i] ran one after the other. */
export interface PairedRow {
  caseName: string;
  metric: string;
  higherIsBetter: boolean;
  tested: number[];
  baseline: number[];
}

/**
 * tested/baseline for each repeat. The two runs of a repeat are neighbours in
 * time, so their ratio leaves out most of the drift that moves both. A pair
 * with a figure at or below zero has no ratio: RSS growth can come out so,
 * when the allocator hands pages back during the run.
 */
export function pairedRatios(tested: readonly number[], baseline: readonly number[]): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(tested.length, baseline.length); i++) {
    if (tested[i]! > 0 && baseline[i]! > 0) {
      ratios.push(tested[i]! / baseline[i]!);
    }
  }
  return ratios;
}

/** How much better (above 0) or worse (below 0) the tested side is, as a fraction, for a ratio tested/baseline. */
export function gain(ratio: number, higherIsBetter: boolean): number {
  return higherIsBetter ? ratio - 1 : 1 - ratio;
}

function ratioCell(ratios: Summary | undefined): string {
  if (!ratios) {
    return "";
  }
  return `${ratios.median.toFixed(3)}× [${ratios.min.toFixed(3)}-${ratios.max.toFixed(3)}]`;
}

/** The median ratio in words: how much better or worse, and whether the loss is over what the comparison allows. */
function changeCell(ratios: Summary | undefined, higherIsBetter: boolean, allowedLoss: number): string {
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
  // Judged on the rounded figures, so that what is printed and the mark agree (0.95 is 5.000…04% in floating point, 0.07 × 100 is 7.000…01).
  const allowed = Math.round(allowedLoss * 1000) / 10;
  return Number(percent) > allowed ? `${percent}% worse, over ${allowed}%` : `${percent}% worse`;
}

/**
 * A Markdown table: each side's median with min-max, the median
 * tested/baseline ratio with its range over the repeats, and what it means.
 */
export function abTable(rows: PairedRow[], comparison: Comparison = AGAINST_REF): string {
  const { tested, baseline } = comparison;
  const header = ["case", "metric", tested, baseline, `${tested}/${baseline}`, "change"];
  const lines = rows.map((row) => {
    const ratios = summarize(pairedRatios(row.tested, row.baseline));
    return [
      row.caseName,
      metricLabel(row),
      cell(summarize(row.tested)),
      cell(summarize(row.baseline)),
      ratioCell(ratios),
      changeCell(ratios, row.higherIsBetter, comparison.allowedLoss),
    ];
  });
  return markdownTable(header, lines);
}
