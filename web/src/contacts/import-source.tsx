import { useRef, useState, type DragEvent } from 'react';
import { Button, Field, Select } from '../ui/controls';
import { formatBytes } from '../ui/format';
import type { ImportSource } from './api';

const DELIMITERS = [
  { value: '', label: 'Detect automatically' },
  { value: ',', label: 'Comma  ,' },
  { value: ';', label: 'Semicolon  ;' },
  { value: 'tab', label: 'Tab' },
];

/** Spreadsheet cells (Excel, Google Sheets, LibreOffice) copy as tab-separated lines. */
const PASTE_DELIMITER = 'tab';

/** Step 1: a CSV file, or cells pasted from a spreadsheet (tab separated, first row = headers). */
export function ImportSourceStep({ busy, onPreview, initial }: {
  busy: boolean;
  onPreview: (source: ImportSource, delimiter: string) => void;
  /** What was chosen before "Back": the user should not have to pick it again. */
  initial?: { source: ImportSource; delimiter: string };
}) {
  const [file, setFile] = useState<File | undefined>(initial?.source.kind === 'file' ? initial.source.file : undefined);
  const [text, setText] = useState(initial?.source.kind === 'paste' ? initial.source.text : '');
  const [delimiter, setDelimiter] = useState(initial?.source.kind === 'file' ? initial.delimiter : '');
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files[0];
    if (f) setFile(f);
  };

  // Lines after the header row.
  const pasteRows = text.trim() ? text.trim().split(/\r?\n/).length - 1 : 0;

  return (
    <div className="import-source">
      <section className="import-option">
        <h3>Upload a file</h3>
        <div
          className={`dropzone ${dragging ? 'dropzone-active' : ''}`} onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)} onDrop={onDrop} onClick={() => input.current?.click()}
        >
          <input ref={input} type="file" accept=".csv,.txt,.tsv,text/csv,text/plain" hidden onChange={(e) => setFile(e.target.files?.[0])} data-testid="import-file" />
          {file ? (
            <p><strong>{file.name}</strong><br /><span className="muted">{formatBytes(file.size)}</span></p>
          ) : (
            <p>Drop a CSV file here, or <span className="link">choose one</span>.<br /><span className="muted">UTF-8, Latin-1 or Windows-1252; the first row names the columns.</span></p>
          )}
        </div>
        <Field label="Delimiter">
          <Select options={DELIMITERS} value={delimiter} onChange={(e) => setDelimiter(e.target.value)} data-testid="import-delimiter" />
        </Field>
        <Button variant="primary" disabled={!file} busy={busy && !!file} onClick={() => file && onPreview({ kind: 'file', file }, delimiter)} data-testid="import-preview-file">
          Preview file
        </Button>
      </section>
      <div className="import-or" aria-hidden>or</div>
      <section className="import-option">
        <h3>Paste cells copied from Excel</h3>
        <textarea
          className="input paste-area" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false}
          placeholder={'customer_id\tname\temail\n1001\tAna Gómez\tana@example.com'} data-testid="import-paste"
        />
        <p className="muted">First row: column headers. {pasteRows > 0 && rowsOfData(pasteRows)}</p>
        <Button variant="primary" disabled={!text.trim()} busy={busy && !file} onClick={() => onPreview({ kind: 'paste', text }, PASTE_DELIMITER)} data-testid="import-preview-paste">
          Preview pasted cells
        </Button>
      </section>
    </div>
  );
}

function rowsOfData(n: number): string {
  return `${n} ${n === 1 ? 'row' : 'rows'} of data.`;
}
