import { Type } from 'typebox';

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

// The filter is typed as unknown here on purpose: validateFilter checks it with paths the console
// can point at (`filter.and[1].op`) and walks depth iteratively. A recursive JSON schema would
// recurse in Ajv once per nesting level and answer in Ajv's words.
const Filter = Type.Unknown({ description: 'A filter: {"and":[…]}, {"or":[…]}, {"not":…} or {"field","op","value"} (API.md)' });
const SegmentId = Type.String({ minLength: 1, maxLength: 64 });
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const SegmentBody = Type.Object({ name: Name, filter: Filter }, { additionalProperties: false });
export const SegmentPatch = Type.Object({ name: Type.Optional(Name), filter: Type.Optional(Filter) }, { additionalProperties: false });

/** `filter` or `segment_id`; neither counts every live contact of the list. */
export const CountBody = Type.Object({
  filter: Type.Optional(Filter),
  segment_id: Type.Optional(SegmentId),
}, { additionalProperties: false });

export const SearchBody = Type.Object({
  filter: Type.Optional(Filter),
  segment_id: Type.Optional(SegmentId),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  // Long enough for a cursor holding a 10,000-character text sort value.
  cursor: Type.Optional(Type.Union([Type.String({ maxLength: 20_000 }), Type.Null()])),
  sort: Type.Optional(Type.Object({
    field: Type.String({ minLength: 1, maxLength: 63 }),
    direction: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
