import { Type, type Static, type TSchema } from 'typebox';
import { CHANNEL_KINDS } from '../../channels/port.js';
import type {
  BranchNode, EmitNode, Entry, EntryRule, ExitNode, FlowDefinition, HttpNode, ListNode, LoopNode, NodeType,
  RandomSplitNode, ScoreSplitNode, SendFallbackNode, SendNode, SubscriptionNode, UpdateContactNode, WaitEventNode, WaitNode,
} from './types.js';

/**
 * The JSON Schema of a flow definition, written with TypeBox (a TypeBox schema IS a JSON Schema
 * object). validate.ts checks each node against the schema of its own type, so an error names the
 * node; `definitionJsonSchema()` is the whole document, published at `GET /v1/flows/schema` for
 * the designer and API clients. What JSON Schema says badly ("exactly one of seconds | until_field |
 * at", percentages summing to 100, the graph) is checked in validate.ts and said in `description`.
 */

/** Limits. 500 nodes is ~10× the largest use-case flow; 1 MB serialised keeps a run's row small. */
export const MAX_NODES = 500;
export const MAX_DEFINITION_BYTES = 1024 * 1024;
/** 400 days: the longest wait a bank asked for is a yearly renewal reminder. */
export const MAX_WAIT_SECONDS = 400 * 24 * 3600;
export const MAX_LOOP = 1000;

export const NODE_ID_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';
/** A time of day on a 24-hour clock, local to the contact. */
export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
/** Event names as `POST /v1/events` takes them: `statement.issued`, `payment.received`, `form.submitted`. */
export const EVENT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$';
/** A contact field key (contacts/fields.ts FIELD_KEY_PATTERN). */
export const FIELD_KEY_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
/** Where a wait finds its date: a contact field (`due_date`, `contact.due_date`) or the run's event (`event.data.date`). */
export const DATE_SOURCE_PATTERN = '^([a-z][a-z0-9_]{0,62}|contact\\.[a-z][a-z0-9_]{0,62}|event(\\.[A-Za-z0-9_-]+)+)$';
/** A broadcast's control sample as a share: "10%", "2.5%". */
export const SAMPLE_SHARE_PATTERN = '^[0-9]{1,3}(\\.[0-9]+)?%$';
/** A dotted path into the run's data: `event.data.score`, `contact.nps`, `last.status`. */
export const DATA_PATH_PATTERN = '^(event|contact|last)(\\.[A-Za-z0-9_-]+)+$';

const NodeId = Type.String({ pattern: NODE_ID_PATTERN, description: 'A node id of this definition' });
const Ref = (description: string) => Type.String({ minLength: 1, maxLength: 100, description });
const EventName = Type.String({ pattern: EVENT_NAME_PATTERN, description: 'An event name, e.g. "payment.received"' });
const FieldKey = Type.String({ pattern: FIELD_KEY_PATTERN, description: "A field of the flow's contact list" });
const TimeOfDay = Type.String({ pattern: TIME_OF_DAY_PATTERN, description: 'HH:MM, local to the contact' });
const ChannelKindSchema = Type.Enum([...CHANNEL_KINDS], { description: 'A channel type' });
const CategorySchema = Type.Enum(['transactional', 'marketing'], {
  description: 'Consent category; default marketing for broadcast/segment/date_field entries, transactional for event entries',
});
/** `{path: value}` pairs an event must carry, e.g. `{"data.status": "approved"}`. */
const Match = Type.Record(Type.String({ minLength: 1 }), Type.Unknown(), { description: 'Paths in the event and the values they must equal' });

// ---- entries ---------------------------------------------------------------------------------

const closed = { additionalProperties: false } as const;

export const EventEntrySchema = Type.Object({ type: Type.Literal('event'), event: EventName }, { ...closed, title: 'event entry' });
export const SegmentEntrySchema = Type.Object(
  { type: Type.Literal('segment'), segment_id: Ref('The segment whose entering contacts start the flow') },
  { ...closed, title: 'segment entry' },
);
export const BroadcastEntrySchema = Type.Object(
  {
    type: Type.Literal('broadcast'),
    segment_id: Ref('The segment the broadcast goes to'),
    at: Type.Optional(Type.String({ format: 'date-time', description: 'Once, at this RFC 3339 instant (exactly one of at | cron)' })),
    cron: Type.Optional(Type.String({ maxLength: 200, description: 'Recurring: a 5-field cron expression (exactly one of at | cron)' })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the cron; default the account\'s' })),
    approval: Type.Optional(
      Type.Object(
        {
          sample: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: SAMPLE_SHARE_PATTERN })], {
            description: 'Control sample sent first: a count (500) or a share ("10%")',
          }),
          approver_role: Type.Optional(Type.Literal('approver')),
        },
        closed,
      ),
    ),
  },
  { ...closed, title: 'broadcast entry' },
);
export const DateFieldEntrySchema = Type.Object(
  {
    type: Type.Literal('date_field'),
    field: FieldKey,
    offset_days: Type.Integer({ minimum: -3650, maximum: 3650, description: 'Days after the date (negative: before)' }),
    at: Type.Optional(TimeOfDay),
  },
  { ...closed, title: 'date_field entry' },
);
export const FormEntrySchema = Type.Object({ type: Type.Literal('form'), form_id: Ref('The form whose submissions start the flow') }, { ...closed, title: 'form entry' });

export const ENTRY_SCHEMAS: Record<Entry['type'], TSchema> = {
  event: EventEntrySchema,
  segment: SegmentEntrySchema,
  broadcast: BroadcastEntrySchema,
  date_field: DateFieldEntrySchema,
  form: FormEntrySchema,
};
export const EntrySchema = Type.Union([EventEntrySchema, SegmentEntrySchema, BroadcastEntrySchema, DateFieldEntrySchema, FormEntrySchema]);

export const GoalSchema = Type.Object(
  { event: EventName, match: Type.Optional(Match) },
  { ...closed, description: 'When this event arrives for the contact, the run exits wherever it is' },
);
export const EntryRuleSchema = Type.Union(
  [
    Type.Literal('once'),
    Type.Literal('every_time'),
    Type.Object({ once_per_days: Type.Integer({ minimum: 1, maximum: 3650 }) }, closed),
  ],
  { description: "'once', 'every_time' or {once_per_days: N} (default: every_time for event, form and broadcast entries, once_per_days 1 for date_field, once for segment)" },
);

// ---- nodes -----------------------------------------------------------------------------------

/** Every node: its id and type, the designer's label and position (ignored by the engine), its options. */
function node<T extends string, P extends Record<string, TSchema>>(type: T, description: string, options: P) {
  return Type.Object(
    {
      id: NodeId,
      type: Type.Literal(type),
      label: Type.Optional(Type.String({ maxLength: 200 })),
      position: Type.Optional(Type.Object({ x: Type.Number(), y: Type.Number() }, closed)),
      ...options,
    },
    { ...closed, title: type, description },
  );
}
const Next = (what = 'The node that follows; absent: the run ends (done)') => Type.Optional(Type.String({ pattern: NODE_ID_PATTERN, description: what }));
const Outcomes = <K extends string>(keys: readonly K[]) =>
  Type.Object(Object.fromEntries(keys.map((k) => [k, Next(`Where the "${k}" outcome goes; absent: the run ends`)])) as Record<K, ReturnType<typeof Next>>, closed);

export const SendSchema = node('send', 'Send one message; goes on at once (does not wait for delivery)', {
  channel_type: Type.Optional(ChannelKindSchema),
  channel_id: Type.Optional(Ref('A specific channel (exactly one of channel_type | channel_id)')),
  template_id: Ref('The template to render'),
  category: Type.Optional(CategorySchema),
  next: Next(),
});
export const SendFallbackSchema = node('send_fallback', 'Try channels in order until one confirms delivery', {
  channels: Type.Union([Type.Array(ChannelKindSchema, { minItems: 1, maxItems: 6, uniqueItems: true }), Type.Literal('by_cost')], {
    description: 'Channel types in order, or "by_cost": the types of `templates` ordered by cost_per_message',
  }),
  templates: Type.Record(Type.String(), Ref('Template id'), { description: 'A template per channel type' }),
  confirm_within_seconds: Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600, description: 'Move on when no delivery is confirmed in this time' }),
  category: Type.Optional(CategorySchema),
  next: Outcomes(['delivered', 'exhausted'] as const),
});
export const WaitSchema = node('wait', 'Wait {seconds} | {until_field, offset_days?, at?} | {at} (a time of day)', {
  seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS })),
  until_field: Type.Optional(
    Type.String({ pattern: DATE_SOURCE_PATTERN, description: 'A date field (due_date, contact.due_date) or a date in the event (event.data.date)' }),
  ),
  offset_days: Type.Optional(Type.Integer({ minimum: -3650, maximum: 3650, description: 'Only with until_field' })),
  at: Type.Optional(TimeOfDay),
  next: Next(),
});
export const WaitEventSchema = node('wait_event', 'Wait for an event of the contact, or a timeout', {
  event: EventName,
  match: Type.Optional(Match),
  correlate: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$', description: 'A path (data.transaction_id) that must be equal in the triggering and the awaited event' }),
  ),
  timeout_seconds: Type.Integer({ minimum: 1, maximum: MAX_WAIT_SECONDS }),
  next: Outcomes(['event', 'timeout'] as const),
});
export const BranchSchema = node('branch', 'The first branch whose filter matches; else default', {
  branches: Type.Array(
    Type.Object(
      {
        filter: Type.Record(Type.String(), Type.Unknown(), { description: 'Segment filter DSL; fields may be event.<path> or last.<key>' }),
        next: NodeId,
      },
      closed,
    ),
    { minItems: 1, maxItems: 50 },
  ),
  default: Next('Where the run goes when no branch matches; absent: the run ends'),
});
export const ScoreSplitSchema = node('score_split', 'NPS split: 0–6 detractor, 7–8 passive, 9–10 promoter', {
  path: Type.String({ pattern: DATA_PATH_PATTERN, description: 'Where the score is: event.data.score, contact.nps' }),
  detractor: Next(),
  passive: Next(),
  promoter: Next(),
  invalid: Next('A missing or invalid score; absent: goes to passive'),
});
export const RandomSplitSchema = node('random_split', 'Deterministic per run; a hold-out is a branch to an exit', {
  branches: Type.Array(Type.Object({ percent: Type.Number({ minimum: 0, maximum: 100 }), next: NodeId }, closed), {
    minItems: 1,
    maxItems: 20,
    description: 'Percentages summing to 100',
  }),
});
export const UpdateContactSchema = node('update_contact', 'Set contact fields; string values may be Liquid ("{{event.data.amount}}")', {
  set: Type.Record(Type.String(), Type.Unknown(), { minProperties: 1 }),
  next: Next(),
});
export const HttpSchema = node('http', 'Call an HTTP API (SSRF-guarded, signed) and branch on its answer', {
  method: Type.Enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  url: Type.String({ pattern: '^https?://', maxLength: 2048, description: 'May contain Liquid' }),
  body: Type.Optional(Type.Unknown()),
  headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,100}$' }), Type.String({ maxLength: 4096 }))),
  timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
  success_when: Type.Optional(
    Type.Object(
      {
        status: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1 })),
        path: Type.Optional(Type.String({ minLength: 1, description: 'A JSON path in the answer, e.g. data.blocked' })),
        equals: Type.Optional(Type.Unknown()),
      },
      { ...closed, description: 'Default: any 2xx status' },
    ),
  ),
  next: Outcomes(['success', 'failure'] as const),
});
export const ListSchemaNode = node('list', 'Add the contact to a list or remove it (exactly one of add | remove)', {
  add: Type.Optional(Ref('List id')),
  remove: Type.Optional(Ref('List id')),
  next: Next(),
});
export const SubscriptionSchema = node('subscription', 'Set consent_<category> on the contact', {
  category: CategorySchema,
  consent: Type.Boolean(),
  next: Next(),
});
export const EmitSchema = node('emit', 'Emit an internal event for the contact', {
  event: EventName,
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  next: Next(),
});
export const LoopSchema = node('loop', 'Pass n ≤ max goes to next, the pass after goes to done', {
  max: Type.Integer({ minimum: 1, maximum: MAX_LOOP }),
  next: NodeId,
  done: Next(),
});
export const ExitSchema = node('exit', 'The run ends', {});

export const NODE_SCHEMAS: Record<NodeType, TSchema> = {
  send: SendSchema,
  send_fallback: SendFallbackSchema,
  wait: WaitSchema,
  wait_event: WaitEventSchema,
  branch: BranchSchema,
  score_split: ScoreSplitSchema,
  random_split: RandomSplitSchema,
  update_contact: UpdateContactSchema,
  http: HttpSchema,
  list: ListSchemaNode,
  subscription: SubscriptionSchema,
  emit: EmitSchema,
  loop: LoopSchema,
  exit: ExitSchema,
};
export const NODE_TYPES = Object.keys(NODE_SCHEMAS) as NodeType[];

/** The whole definition, for the published JSON Schema (validate.ts checks part by part). */
export const DefinitionSchema = Type.Object(
  {
    entry: EntrySchema,
    goal: Type.Optional(GoalSchema),
    entry_rule: Type.Optional(EntryRuleSchema),
    start: Next('The first node; default the first in `nodes`'),
    nodes: Type.Array(Type.Union(Object.values(NODE_SCHEMAS)), { minItems: 1, maxItems: MAX_NODES }),
  },
  {
    ...closed,
    $id: 'https://conversa.dev/schemas/flow-definition.json',
    title: 'Conversa flow definition',
    description: 'See docs/flows.md. Graph rules (edges, reachability, cycles through a wait) are checked on save.',
  },
);

/**
 * The JSON Schema of a whole flow definition (`GET /v1/flows/schema`): plain JSON, exactly what
 * is served, and a fresh copy each call so a caller may add `$schema` or trim descriptions.
 */
export function definitionJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(DefinitionSchema)) as Record<string, unknown>;
}

// Compile-time guard: data the schemas accept fits the hand-written types of types.ts. If a
// schema and its type drift apart, one of these lines stops compiling.
type Fits<S, T> = S extends T ? true : false;
const fits: [
  Fits<Static<typeof SendSchema>, SendNode>, Fits<Static<typeof SendFallbackSchema>, SendFallbackNode>,
  Fits<Static<typeof WaitSchema>, WaitNode>, Fits<Static<typeof WaitEventSchema>, WaitEventNode>,
  Fits<Static<typeof BranchSchema>, BranchNode>, Fits<Static<typeof ScoreSplitSchema>, ScoreSplitNode>,
  Fits<Static<typeof RandomSplitSchema>, RandomSplitNode>, Fits<Static<typeof UpdateContactSchema>, UpdateContactNode>,
  Fits<Static<typeof HttpSchema>, HttpNode>, Fits<Static<typeof ListSchemaNode>, ListNode>,
  Fits<Static<typeof SubscriptionSchema>, SubscriptionNode>, Fits<Static<typeof EmitSchema>, EmitNode>,
  Fits<Static<typeof LoopSchema>, LoopNode>, Fits<Static<typeof ExitSchema>, ExitNode>,
  Fits<Static<typeof EntrySchema>, Entry>, Fits<Static<typeof EntryRuleSchema>, EntryRule>,
  Fits<Static<typeof DefinitionSchema>, FlowDefinition>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
void fits;
