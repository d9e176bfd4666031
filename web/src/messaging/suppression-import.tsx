import { useRef, useState, type FormEvent } from 'react';
import { Button, ErrorBanner, Field, Input, Select } from '../ui/controls';
import { formatBytes, formatNumber } from '../ui/format';
import { importSuppressions } from './api';
import type { SuppressionImportResult, SuppressionType } from './types';

const TYPE_OPTIONS = [{ value: 'phone', label: 'Phone numbers' }, { value: 'email', label: 'Email addresses' }];

function Stat({ label, value, testId, tone }: { label: string; value: number; testId: string; tone?: 'success' | 'danger' }) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`}>
      <span className="stat-value" data-testid={testId}>{formatNumber(value)}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}

/**
 * Imports a regulator's do-not-contact list (Colombia's RNE, a national DNC registry): one value
 * per line, from a file or pasted. Re-importing the same list adds only what is new.
 */
export function SuppressionImport({ onImported }: { onImported: () => void }) {
  const [list, setList] = useState('');
  const [type, setType] = useState<SuppressionType>('phone');
  const [file, setFile] = useState<File>();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<SuppressionImportResult>();
  const input = useRef<HTMLInputElement>(null);

  const source: Blob | undefined = file ?? (text.trim() ? new Blob([text], { type: 'text/csv' }) : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!source) return;
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await importSuppressions(list.trim(), type, source));
      onImported();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const rejectedTotal = result ? (result.rejected_total ?? result.rejected.length) : 0;

  return (
    <form onSubmit={submit} noValidate className="stack" data-testid="suppression-import">
      <div className="form-grid">
        <Field label="List name" hint="The regulator's list, e.g. RNE; importing it again adds what is new">
          <Input value={list} onChange={(e) => setList(e.target.value)} placeholder="RNE" data-testid="suppression-import-list" />
        </Field>
        <Field label="Values are">
          <Select options={TYPE_OPTIONS} value={type} onChange={(e) => setType(e.target.value as SuppressionType)} data-testid="suppression-import-type" />
        </Field>
        <Field label="File" hint={file ? `${file.name} · ${formatBytes(file.size)}` : 'CSV or text, one value per line (first column)'}>
          <div className="toolbar">
            <input ref={input} type="file" accept=".csv,.txt,text/csv,text/plain" hidden onChange={(e) => setFile(e.target.files?.[0])} data-testid="suppression-import-file" />
            <Button onClick={() => input.current?.click()}>{file ? 'Choose another file' : 'Choose a file'}</Button>
            {file && <Button variant="ghost" onClick={() => { setFile(undefined); if (input.current) input.current.value = ''; }}>Remove</Button>}
          </div>
        </Field>
      </div>
      {!file && (
        <Field label="…or paste the values">
          <textarea className="input code-input" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} placeholder={'3001234567\n3109876543'} data-testid="suppression-import-paste" />
        </Field>
      )}
      <ErrorBanner error={error} testId="suppression-import-error" />
      {result && (
        <div className="stack" data-testid="suppression-import-result">
          <div className="stats">
            <Stat label="Imported" value={result.imported} testId="suppression-imported" tone="success" />
            <Stat label="Already listed" value={result.duplicates} testId="suppression-duplicates" />
            <Stat label="Rejected" value={rejectedTotal} testId="suppression-rejected" tone={rejectedTotal > 0 ? 'danger' : undefined} />
          </div>
          {result.rejected.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <thead><tr><th>Line</th><th>Value</th><th>Reason</th></tr></thead>
                <tbody>
                  {result.rejected.map((r) => (
                    <tr key={r.line} data-testid="suppression-rejected-row"><td className="num">{r.line}</td><td><code>{r.value}</code></td><td>{r.reason}</td></tr>
                  ))}
                </tbody>
              </table>
              {rejectedTotal > result.rejected.length && <p className="muted">Showing the first {result.rejected.length} of {formatNumber(rejectedTotal)} rejected lines.</p>}
            </div>
          )}
        </div>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy} disabled={!list.trim() || !source} data-testid="suppression-import-submit">Import list</Button>
      </div>
    </form>
  );
}
