import type { Scope } from '../paths.js';
import type { StepContext } from '../step-types.js';

/** What filters, splits, `until_field` and `{{ tags }}` read at this step. */
export const scopeOf = (ctx: StepContext): Scope => ({ contact: ctx.contact, event: ctx.run.vars.event, last: ctx.run.vars.last });
