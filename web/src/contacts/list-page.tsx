import { ErrorBanner, Spinner } from '../ui/controls';
import { formatNumber } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { PageHeader, Tabs } from '../ui/layout';
import { Link, Redirect } from '../ui/router';
import { getList } from './api';
import { ContactsGrid } from './contacts-grid';
import { FieldEditor } from './field-editor';
import { ImportWizard } from './import-wizard';
import { SegmentPage } from './segment-builder';
import { SegmentsPage } from './segments-page';
import type { ContactList } from './types';

const TABS = [
  { key: 'contacts', label: 'Contacts' },
  { key: 'fields', label: 'Fields' },
  { key: 'import', label: 'Import' },
  { key: 'segments', label: 'Segments' },
] as const;

/** One list: its contacts, fields, imports and segments, a tab each (`/lists/:id/:tab`). */
export function ListPage({ id, tab, sub }: { id: string; tab: string | undefined; sub: string | undefined }) {
  const list = useAsync((signal) => getList(id, signal), [id]);
  const base = `/lists/${encodeURIComponent(id)}`;

  if (!tab) return <Redirect to={`${base}/contacts`} />;
  if (!list.data) {
    return (
      <>
        <PageHeader title="List" breadcrumb={<Link to="/lists">Lists</Link>} />
        {list.error ? <ErrorBanner error={list.error} /> : <Spinner />}
      </>
    );
  }
  const l: ContactList = list.data;
  return (
    <>
      <PageHeader
        title={l.name}
        breadcrumb={<Link to="/lists">Lists</Link>}
        subtitle={<>Key field <code>{l.key_field}</code> · {formatNumber(l.contact_count ?? 0)} contacts · {l.fields.length} fields</>}
      />
      <Tabs tabs={TABS.map((t) => ({ ...t, to: `${base}/${t.key}` }))} active={tab} />
      <div className="tab-panel">
        {tab === 'contacts' && <ContactsGrid list={l} onChanged={list.reload} />}
        {tab === 'fields' && <FieldEditor list={l} onSaved={list.reload} />}
        {tab === 'import' && <ImportWizard list={l} onImported={list.reload} />}
        {tab === 'segments' && (sub ? <SegmentPage key={sub} list={l} segmentId={sub} /> : <SegmentsPage list={l} />)}
      </div>
    </>
  );
}
