import { useMemo, useState } from 'react';
import { ErrorBanner } from '../ui/controls';
import { Card } from '../ui/layout';
import { importBody, previewImport, startImport, type ImportSource } from './api';
import { ImportHistory } from './import-history';
import { ImportMappingStep, type Mapping } from './import-mapping';
import { ImportProgressStep } from './import-progress';
import { ImportSourceStep } from './import-source';
import { allFields, type ContactList, type ImportPreview } from './types';

type Step =
  | { kind: 'source' }
  | { kind: 'mapping'; source: ImportSource; preview: ImportPreview; delimiter: string }
  | { kind: 'running'; importId: string; totalBytes: number };

const STEPS = ['Choose data', 'Map columns', 'Import'];

/** The Import tab: source → preview and column mapping → progress and result. */
export function ImportWizard({ list, onImported }: { list: ContactList; onImported: () => void }) {
  const fields = useMemo(() => allFields(list), [list]);
  const [step, setStep] = useState<Step>({ kind: 'source' });
  const [mapping, setMapping] = useState<Mapping>({});
  const [chosen, setChosen] = useState<{ source: ImportSource; delimiter: string }>();
  const [busy, setBusy] = useState(false);
  const [finished, setFinished] = useState(0);
  const [error, setError] = useState<unknown>();

  async function act(fn: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const preview = (source: ImportSource, delimiter: string) =>
    act(async () => {
      setChosen({ source, delimiter });
      const p = await previewImport(list.id, source, delimiter || undefined);
      // Every column gets an entry: a suggested field, or null (ignored).
      setMapping(Object.fromEntries(p.header.map((h) => [h, p.mapping[h] ?? null])));
      setStep({ kind: 'mapping', source, preview: p, delimiter: delimiter || p.delimiter });
    });

  const start = () =>
    act(async () => {
      if (step.kind !== 'mapping') return;
      const job = await startImport(list.id, step.source, { delimiter: step.delimiter, mapping });
      setStep({ kind: 'running', importId: job.id, totalBytes: importBody(step.source).size });
    });

  const index = step.kind === 'source' ? 0 : step.kind === 'mapping' ? 1 : 2;

  return (
    <div className="stack">
      <Card>
        <ol className="steps">
          {STEPS.map((s, i) => (
            <li key={s} className={i === index ? 'current' : i < index ? 'done' : ''}>
              <span className="step-num">{i + 1}</span> {s}
            </li>
          ))}
        </ol>
        <ErrorBanner error={error} testId="import-error" />
        {step.kind === 'source' && <ImportSourceStep busy={busy} onPreview={preview} initial={chosen} />}
        {step.kind === 'mapping' && (
          <ImportMappingStep
            preview={step.preview} fields={fields} keyField={list.key_field} mapping={mapping} onMapping={setMapping}
            onBack={() => setStep({ kind: 'source' })} onStart={start} busy={busy}
          />
        )}
        {step.kind === 'running' && (
          <ImportProgressStep
            importId={step.importId} totalBytes={step.totalBytes} listPath={`/lists/${encodeURIComponent(list.id)}`}
            onFinished={() => { setFinished((n) => n + 1); onImported(); }} onAgain={() => { setChosen(undefined); setStep({ kind: 'source' }); }}
          />
        )}
      </Card>
      <ImportHistory listId={list.id} refreshKey={finished} />
    </div>
  );
}
