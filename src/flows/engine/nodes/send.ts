import type { Category } from '../../../channels/port.js';
import type { FlowDefinition, SendNode } from '../../definition/types.js';
import type { StepContext, StepResult } from '../step-types.js';

/**
 * The category of a send that does not name one: a flow started by an API event or a form answers
 * something the contact did (transactional); segment, broadcast and date flows are marketing.
 */
export function defaultCategory(definition: FlowDefinition): Category {
  const t = definition.entry.type;
  return t === 'event' || t === 'form' ? 'transactional' : 'marketing';
}

/** The data a send hands its template: the triggering event's data (`{{ data.amount }}`). */
export function sendData(ctx: StepContext): Record<string, unknown> {
  return { ...(ctx.run.vars.event?.data ?? {}) };
}

/** `send` asks for one message and goes on at once: it does not wait for delivery. */
export function executeSend(ctx: StepContext, node: SendNode): StepResult {
  const channel = {
    ...(node.channel_type !== undefined ? { channel_type: node.channel_type } : {}),
    ...(node.channel_id !== undefined ? { channel_id: node.channel_id } : {}),
  };
  return {
    kind: 'go',
    next: node.next,
    outcome: 'sent',
    effects: [{
      type: 'send', key: ctx.key, node: node.id, ...channel, template_id: node.template_id,
      category: node.category ?? defaultCategory(ctx.definition), data: sendData(ctx), await_outcome: false,
    }],
    last: { outcome: 'sent', ...channel, template_id: node.template_id, key: ctx.key },
    trace: { ...(node.channel_type !== undefined ? { channel_type: node.channel_type } : {}), template_id: node.template_id, key: ctx.key },
  };
}
