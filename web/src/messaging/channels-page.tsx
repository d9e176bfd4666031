import { useState } from 'react';
import { Badge, Button, EmptyState, ErrorBanner, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Table, type Column } from '../ui/table';
import { deleteChannel, getChannels } from './api';
import { ChannelForm } from './channel-form';
import { ChannelTestBox } from './channel-test';
import type { Channel } from './types';
import './messaging.css';

/** What the page shows under the list: nothing, the new-channel form, or one channel's edit/test panel. */
type Panel = { kind: 'none' } | { kind: 'new' } | { kind: 'channel'; id: string };

export function ChannelsPage() {
  const channels = useAsync((signal) => getChannels(signal), []);
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [error, setError] = useState<unknown>();

  const selected = panel.kind === 'channel' ? channels.data?.find((c) => c.id === panel.id) : undefined;

  async function remove(c: Channel) {
    if (!window.confirm(`Delete the channel "${c.name}"? Messages queued on it will fail.`)) return;
    setError(undefined);
    try {
      await deleteChannel(c.id);
      setPanel({ kind: 'none' });
      channels.reload();
    } catch (err) {
      setError(err);
    }
  }

  const columns: Column<Channel>[] = [
    { key: 'name', header: 'Name', cell: (c) => <span className="strong">{c.name}</span> },
    { key: 'type', header: 'Provider', cell: (c) => <code>{c.type}</code> },
    { key: 'kind', header: 'Sends', cell: (c) => <>{c.channel_type} {c.sandbox && <Badge tone="info">sandbox</Badge>}</> },
    { key: 'cost', header: 'Cost / message', cell: (c) => c.cost_per_message, className: 'num' },
    { key: 'created', header: 'Created', cell: (c) => (c.sandbox ? '' : formatDateTime(c.created_at)), className: 'nowrap' },
    {
      key: 'actions', header: '', className: 'actions',
      cell: (c) => (c.sandbox ? null : <Button variant="ghost" onClick={(e) => { e.stopPropagation(); void remove(c); }} data-testid="channel-delete">Delete</Button>),
    },
  ];

  const newButton = <Button variant="primary" onClick={() => setPanel({ kind: 'new' })} data-testid="new-channel-button">New channel</Button>;

  return (
    <>
      <PageHeader
        title="Channels"
        subtitle="The providers messages go through. The newest channel of a kind is the default for that kind."
        actions={newButton}
      />
      <div className="stack">
        <ErrorBanner error={error ?? channels.error} />
        <Card className="card-flush">
          {channels.loading && !channels.data ? (
            <Spinner />
          ) : (
            <Table
              columns={columns} rows={channels.data ?? []} rowKey={(c) => c.id} rowTestId="channel-row"
              onRowClick={(c) => setPanel({ kind: 'channel', id: c.id })}
              empty={<EmptyState title="No channels yet">Add an SMTP server, an SMPP account or an HTTP provider.</EmptyState>}
            />
          )}
        </Card>
        {panel.kind === 'new' && (
          <Card title="New channel">
            <ChannelForm
              onCancel={() => setPanel({ kind: 'none' })}
              onSaved={(c) => { channels.reload(); setPanel({ kind: 'channel', id: c.id }); }}
            />
          </Card>
        )}
        {selected && (
          <>
            {!selected.sandbox && (
              <Card title={`Edit ${selected.name}`}>
                <ChannelForm key={selected.id} channel={selected} onCancel={() => setPanel({ kind: 'none' })} onSaved={() => channels.reload()} />
              </Card>
            )}
            <Card title={`Test ${selected.name}`}>
              <ChannelTestBox key={selected.id} channel={selected} />
            </Card>
          </>
        )}
      </div>
    </>
  );
}
