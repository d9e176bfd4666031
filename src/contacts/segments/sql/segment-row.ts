import type { FilterNode } from '../filter-schema.js';

export interface SegmentRow {
  account_id: string;
  id: string;
  list_id: string;
  name: string;
  /** Saved normalised (validateFilter's output), and validated again against the list on use. */
  filter: FilterNode;
  created_at: Date;
  updated_at: Date;
}

export const SEGMENT_COLS = 'account_id, id, list_id, name, filter, created_at, updated_at';
