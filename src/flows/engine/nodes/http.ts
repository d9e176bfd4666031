import type { HttpNode } from '../../definition/types.js';
import { equals } from '../filter-eval.js';
import { readPath } from '../paths.js';
import type { StepContext, StepResult } from '../step-types.js';
import type { Wake } from '../types.js';
import { interpolateAll, interpolateDeep, interpolateUrl } from '../interpolate.js';
import { scopeOf } from './scope.js';

/**
 * `http`: the worker makes the call (SSRF-guarded, signed) and answers with an `action_result`
 * wake naming the effect's key; `success` or `failure` follows. If no answer comes (a worker lost
 * it), the run does not hang: after the call's timeout plus a grace period it takes `failure`.
 */

export const DEFAULT_HTTP_TIMEOUT_SECONDS = 10;
/** Room for the worker's retries and queueing before the engine gives up on an answer. */
export const HTTP_ANSWER_GRACE_SECONDS = 300;

export function executeHttp(ctx: StepContext, node: HttpNode): StepResult {
  const timeout = node.timeout_seconds ?? DEFAULT_HTTP_TIMEOUT_SECONDS;
  return {
    kind: 'wait',
    wait: { kind: 'action', node: node.id, action_key: ctx.key },
    dueAt: new Date(ctx.now.getTime() + (timeout + HTTP_ANSWER_GRACE_SECONDS) * 1000),
    outcome: 'waiting',
    effects: [{
      type: 'http', key: ctx.key, node: node.id, method: node.method, url: interpolateUrl(node.url, scopeOf(ctx)),
      ...(node.body !== undefined ? { body: interpolateDeep(node.body, scopeOf(ctx)) } : {}),
      ...(node.headers !== undefined ? { headers: interpolateAll(node.headers, scopeOf(ctx)) as Record<string, string> } : {}),
      timeout_seconds: timeout,
      ...(node.success_when !== undefined ? { success_when: node.success_when } : {}),
    }],
    trace: { key: ctx.key },
  };
}

export function resumeHttp(ctx: StepContext, node: HttpNode, wake: Wake): StepResult | null {
  const wait = ctx.run.wait;
  if (!wait || wait.kind !== 'action') return null;
  if (wake.kind === 'timer') {
    return { kind: 'go', next: node.next.failure, outcome: 'failure', last: { outcome: 'failure', reason: 'no_answer' } };
  }
  if (wake.kind !== 'action_result' || wake.key !== wait.action_key) return null;
  return {
    kind: 'go', next: wake.outcome === 'success' ? node.next.success : node.next.failure, outcome: wake.outcome,
    last: { outcome: wake.outcome, ...(wake.result !== undefined ? { result: wake.result } : {}) },
  };
}

/**
 * For the worker: did an answer succeed? Default: a 2xx status. `success_when.status` lists the
 * statuses that count; `path` + `equals` also requires that value in the JSON answer.
 */
export function httpSucceeded(when: HttpNode['success_when'], answer: { status: number; body: unknown }): boolean {
  const statusOk = when?.status ? when.status.includes(answer.status) : answer.status >= 200 && answer.status < 300;
  if (!statusOk) return false;
  if (when?.path === undefined) return true;
  const value = readPath(answer.body, when.path);
  return when.equals === undefined ? value !== undefined && value !== null : equals(value, when.equals);
}
