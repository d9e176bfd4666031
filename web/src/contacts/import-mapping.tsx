import { Badge, Button, Select } from '../ui/controls';
import type { FieldDef, ImportPreview } from './types';

export type Mapping = Record<string, string | null>;

const IGNORE = '';

function delimiterName(d: string): string {
  return d === '\t' || d === 'tab' ? 'tab' : d === ',' ? 'comma' : d === ';' ? 'semicolon' : JSON.stringify(d);
}

/** Step 2: the first rows as the server read them, and which field each column goes to. */
export function ImportMappingStep({ preview, fields, keyField, mapping, onMapping, onBack, onStart, busy }: {
  preview: ImportPreview;
  fields: FieldDef[];
  keyField: string;
  mapping: Mapping;
  onMapping: (m: Mapping) => void;
  onBack: () => void;
  onStart: () => void;
  busy: boolean;
}) {
  const options = fields.map((f) => ({ value: f.key, label: `${f.label || f.key} (${f.key})` }));
  const targets = Object.values(mapping).filter((v): v is string => !!v);
  const duplicates = new Set(targets.filter((t, i) => targets.indexOf(t) !== i));
  const keyMapped = targets.includes(keyField);

  return (
    <div className="stack">
      <div className="toolbar">
        <span className="muted">
          Read as <strong>{delimiterName(preview.delimiter)}</strong>-separated, <strong>{preview.encoding}</strong> ·{' '}
          {preview.header.length} columns · showing the first {preview.rows.length} rows
        </span>
      </div>
      {!keyMapped && (
        <div className="banner banner-warning" role="alert">
          Map a column to the key field <code>{keyField}</code>: contacts are matched on it.
        </div>
      )}
      {duplicates.size > 0 && (
        <div className="banner banner-warning" role="alert">Several columns go to {[...duplicates].map((d) => <code key={d}>{d} </code>)}— keep one.</div>
      )}
      <div className="table-wrap">
        <table className="table preview-table" data-testid="import-preview">
          <thead>
            <tr>
              {preview.header.map((h, i) => {
                const target = mapping[h] ?? IGNORE;
                return (
                  <th key={`${h}-${i}`}>
                    <div className="preview-head">
                      <span className="preview-col">{h || <em className="muted">(no header)</em>}</span>
                      <Select
                        options={options} placeholder="— ignore —" value={target}
                        onChange={(e) => onMapping({ ...mapping, [h]: e.target.value === IGNORE ? null : e.target.value })}
                        aria-label={`Field for column ${h}`} data-testid="mapping-select" data-column={h}
                        className={target ? '' : 'input-muted'}
                      />
                      {target === keyField && <Badge tone="info">key</Badge>}
                    </div>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, r) => (
              <tr key={r}>
                {preview.header.map((h, c) => (
                  <td key={c} className={mapping[h] ? undefined : 'cell-ignored'}>{row[c] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="form-actions">
        <Button onClick={onBack}>Back</Button>
        <Button variant="primary" onClick={onStart} busy={busy} disabled={!keyMapped || duplicates.size > 0} data-testid="import-start">
          Start import
        </Button>
      </div>
    </div>
  );
}
