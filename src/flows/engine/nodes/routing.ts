import { createHash } from 'node:crypto';
import type { BranchNode, LoopNode, RandomSplitNode, ScoreSplitNode } from '../../definition/types.js';
import { evaluateFilter } from '../filter-eval.js';
import { resolveField } from '../paths.js';
import type { StepContext, StepResult } from '../step-types.js';
import { scopeOf } from './scope.js';

/**
 * Routing nodes choose the next node and do nothing else; they leave `last` as it is, so two
 * branches in a row can both read the outcome of the action before them.
 */


/** The first branch whose filter holds, else `default`. Outcome: `branch_<index>` or `default`. */
export function executeBranch(ctx: StepContext, node: BranchNode): StepResult {
  const clock = { now: ctx.now, timezone: ctx.timezone };
  const scope = scopeOf(ctx);
  const i = node.branches.findIndex((b) => evaluateFilter(b.filter, scope, clock));
  const chosen = node.branches[i];
  return chosen ? { kind: 'go', next: chosen.next, outcome: `branch_${i}` } : { kind: 'go', next: node.default, outcome: 'default' };
}

export type ScoreBand = 'detractor' | 'passive' | 'promoter' | 'invalid';

/** NPS bands: 0–6 detractor, 7–8 passive, 9–10 promoter; anything else (missing, 6.5, 11, "x") invalid. */
export function scoreBand(value: unknown): ScoreBand {
  const n = typeof value === 'string' && /^\s*\d{1,2}\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 10) return 'invalid';
  return n <= 6 ? 'detractor' : n <= 8 ? 'passive' : 'promoter';
}

/** An invalid score goes to `invalid`, or to `passive` when the node has no `invalid` edge. */
export function executeScoreSplit(ctx: StepContext, node: ScoreSplitNode): StepResult {
  const band = scoreBand(resolveField(node.path, scopeOf(ctx)));
  const next = band === 'invalid' ? node.invalid ?? node.passive : node[band];
  return { kind: 'go', next, outcome: band };
}

/**
 * A point in [0, 100) fixed by the run and the node: the same run always takes the same branch
 * (a replay is exact), and runs spread evenly over the percentages.
 */
export function splitPoint(runId: string, nodeId: string): number {
  const h = createHash('sha256').update(`${runId}:${nodeId}`).digest();
  return (h.readUInt32BE(0) / 2 ** 32) * 100;
}

/** Branches take consecutive slices of [0, 100); a point past their sum falls in the last one. */
export function executeRandomSplit(ctx: StepContext, node: RandomSplitNode): StepResult {
  const point = splitPoint(ctx.run.id, node.id);
  let edge = 0;
  let index = node.branches.length - 1;
  for (const [i, b] of node.branches.entries()) {
    edge += b.percent;
    if (point < edge) {
      index = i;
      break;
    }
  }
  return { kind: 'go', next: node.branches[index]?.next, outcome: `branch_${index}` };
}

/**
 * Counts passes per run: passes 1…max go to `next`, the one after to `done`, which also resets
 * the count so a later pass through the same loop starts again.
 */
export function executeLoop(ctx: StepContext, node: LoopNode): StepResult {
  const pass = (ctx.run.vars.loops[node.id] ?? 0) + 1;
  if (pass <= node.max) {
    return { kind: 'go', next: node.next, outcome: 'next', vars: { loops: { ...ctx.run.vars.loops, [node.id]: pass } }, trace: { detail: { pass } } };
  }
  const { [node.id]: _done, ...others } = ctx.run.vars.loops;
  return { kind: 'go', next: node.done, outcome: 'done', vars: { loops: others } };
}
