import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../ui/api';
import { Button, ErrorBanner, Field, Input, Spinner } from '../ui/controls';
import { formatNumber } from '../ui/format';
import { useAsync, useDebounced } from '../ui/hooks';
import { Card } from '../ui/layout';
import { navigate } from '../ui/router';
import { countContacts, createSegment, getSegment, updateSegment } from './api';
import { FilterBuilder } from './filter-builder';
import { describeFilter, emptyGroup, fromFilter, newCondition, toFilter, type GroupNode } from './filter-model';
import { allFields, type ContactList, type Segment } from './types';

/** How long the filter must stay still before the live count asks the server. */
const COUNT_DEBOUNCE_MS = 400;

/** `/lists/:id/segments/new` builds a segment; `/lists/:id/segments/:segmentId` edits one. */
export function SegmentPage({ list, segmentId }: { list: ContactList; segmentId: string }) {
  const segment = useAsync((signal) => (segmentId === 'new' ? Promise.resolve(undefined) : getSegment(segmentId, signal)), [segmentId]);
  if (segment.error) return <ErrorBanner error={segment.error} />;
  if (segment.loading) return <Spinner />;
  return <SegmentBuilder list={list} segment={segment.data} />;
}

/** A segment: a name, a filter, and how many contacts it holds right now. */
function SegmentBuilder({ list, segment }: { list: ContactList; segment: Segment | undefined }) {
  const fields = useMemo(() => allFields(list), [list]);
  const [name, setName] = useState(segment?.name ?? '');
  const [group, setGroup] = useState<GroupNode>(() =>
    segment ? fromFilter(segment.filter, fields) : { ...emptyGroup(), children: [newCondition(fields[0])] });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [submitted, setSubmitted] = useState(false);

  const filter = useMemo(() => toFilter(group, fields), [group, fields]);
  const settled = useDebounced(filter, COUNT_DEBOUNCE_MS);
  const settledKey = JSON.stringify(settled ?? null);
  const count = useAsync((signal) => countContacts(list.id, settled, signal), [list.id, settledKey]);
  const pending = count.loading || settledKey !== JSON.stringify(filter ?? null);
  const back = `/lists/${encodeURIComponent(list.id)}/segments`;

  async function save(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (!name.trim() || !filter) return;
    setBusy(true);
    setError(undefined);
    try {
      if (segment) await updateSegment(segment.id, { name: name.trim(), filter });
      else await createSegment(list.id, name.trim(), filter);
      navigate(back);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const nameError = (error instanceof ApiError ? error.detailFor('name') : undefined) ?? (submitted && !name.trim() ? 'A segment needs a name' : undefined);

  return (
    <form className="stack" onSubmit={save} noValidate>
      <ErrorBanner error={error} />
      <div className="segment-layout">
        <div className="stack">
          <Card>
            <Field label="Segment name" error={nameError}>
              <Input value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="Gold customers in Bogotá" data-testid="segment-name" />
            </Field>
          </Card>
          <Card title="Who is in it">
            <FilterBuilder fields={fields} value={group} onChange={setGroup} />
          </Card>
        </div>
        <aside className="card segment-summary">
          <div className="card-body">
            <span className="stat-label">Contacts in this segment</span>
            <div className={`live-count ${pending ? 'is-refreshing' : ''}`} aria-live="polite">
              <span data-testid="segment-count" data-pending={pending ? 'true' : 'false'}>
                {count.data === undefined ? '…' : formatNumber(count.data)}
              </span>
            </div>
            <span className="muted">of {formatNumber(list.contact_count ?? 0)} in {list.name}</span>
            {count.error !== undefined && <ErrorBanner error={count.error} testId="segment-count-error" />}
            {submitted && !filter && <p className="field-error">Add at least one complete condition: a segment is a filter over the list.</p>}
            <p className="filter-summary muted">{describeFilter(filter, fields)}</p>
            <div className="form-actions">
              <Button onClick={() => navigate(back)}>Cancel</Button>
              <Button type="submit" variant="primary" busy={busy} data-testid="segment-save">{segment ? 'Save changes' : 'Save segment'}</Button>
            </div>
          </div>
        </aside>
      </div>
    </form>
  );
}
