import type { FlowNode } from '../definition/types.js';
import { FlowRuntimeError } from './errors.js';
import { executeEmit, executeList, executeSubscription, executeUpdateContact } from './nodes/actions.js';
import { executeHttp, resumeHttp } from './nodes/http.js';
import { executeBranch, executeLoop, executeRandomSplit, executeScoreSplit } from './nodes/routing.js';
import { executeFallback, resumeFallback } from './nodes/send-fallback.js';
import { executeSend } from './nodes/send.js';
import { executeWaitEvent, resumeWaitEvent } from './nodes/wait-event.js';
import { executeWait, resumeWait } from './nodes/wait.js';
import type { StepContext, StepResult } from './step-types.js';
import type { Wake } from './types.js';

/** One decision: execute a node. */
export function executeNode(ctx: StepContext, node: FlowNode): StepResult {
  switch (node.type) {
    case 'send': return executeSend(ctx, node);
    case 'send_fallback': return executeFallback(ctx, node);
    case 'wait': return executeWait(ctx, node);
    case 'wait_event': return executeWaitEvent(ctx, node);
    case 'branch': return executeBranch(ctx, node);
    case 'score_split': return executeScoreSplit(ctx, node);
    case 'random_split': return executeRandomSplit(ctx, node);
    case 'update_contact': return executeUpdateContact(ctx, node);
    case 'http': return executeHttp(ctx, node);
    case 'list': return executeList(ctx, node);
    case 'subscription': return executeSubscription(ctx, node);
    case 'emit': return executeEmit(ctx, node);
    case 'loop': return executeLoop(ctx, node);
    case 'exit': return { kind: 'end', status: 'done', outcome: 'exit' };
    default: {
      // A definition that skipped validation (or a newer node type on an older engine).
      const unknown: { id?: unknown; type?: unknown } = node;
      throw new FlowRuntimeError(`node "${String(unknown.id)}": unknown type "${String(unknown.type).slice(0, 40)}"`);
    }
  }
}

/** One decision for a waiting node that something woke; null when the wake is not for it. */
export function resumeNode(ctx: StepContext, node: FlowNode, wake: Wake): StepResult | null {
  switch (node.type) {
    case 'wait': return resumeWait(ctx, node, wake);
    case 'wait_event': return resumeWaitEvent(ctx, node, wake);
    case 'send_fallback': return resumeFallback(ctx, node, wake);
    case 'http': return resumeHttp(ctx, node, wake);
    default: throw new FlowRuntimeError(`node "${node.id}": a ${node.type} node does not wait`);
  }
}
