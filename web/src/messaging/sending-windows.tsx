import { Button } from '../ui/controls';
import { CHANNEL_KINDS, DAYS, type Day, type SendingWindow } from './types';

const CATEGORY_OPTIONS = ['marketing', 'transactional'];
const DAY_LABELS: Record<Day, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

export function newWindow(): SendingWindow {
  return { category: 'marketing', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' };
}

/** What is wrong with a row before the server is asked (it checks the same). */
export function windowProblem(w: SendingWindow): string | undefined {
  if (w.days.length === 0) return 'Pick at least one day';
  if (!w.from || !w.to) return 'Give both times';
  if (w.from >= w.to) return '"To" must be later than "from"';
  return undefined;
}

/**
 * The hours each category may be sent, in the contact's time zone. Outside every window of its
 * category a message waits for the next opening; a category without windows is never held.
 */
export function SendingWindowsEditor({ windows, onChange, serverErrorFor, showProblems }: {
  windows: SendingWindow[];
  onChange: (w: SendingWindow[]) => void;
  serverErrorFor: (field: string) => string | undefined;
  showProblems: boolean;
}) {
  const update = (i: number, patch: Partial<SendingWindow>) => onChange(windows.map((w, j) => (j === i ? { ...w, ...patch } : w)));
  const toggleDay = (i: number, day: Day, on: boolean) => {
    const w = windows[i];
    if (!w) return;
    // Keep the week's order whatever order the boxes were ticked in.
    update(i, { days: DAYS.filter((d) => (d === day ? on : w.days.includes(d))) });
  };

  return (
    <div data-testid="sending-windows">
      {windows.length === 0 && <p className="muted">No windows: every category is sent at any hour.</p>}
      {windows.map((w, i) => {
        const problem = (showProblems ? windowProblem(w) : undefined)
          ?? serverErrorFor(`sending_windows[${i}].to`) ?? serverErrorFor(`sending_windows[${i}].from`) ?? serverErrorFor(`sending_windows[${i}].days`);
        return (
          <div key={i} data-testid="window-row">
            <div className="window-row">
              <select className="input" value={w.category} onChange={(e) => update(i, { category: e.target.value })} aria-label="Category" data-testid="window-category">
                {[...new Set([...CATEGORY_OPTIONS, w.category])].map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
              <select
                className="input" value={w.channel_type ?? ''} aria-label="Channel" data-testid="window-channel-type"
                onChange={(e) => update(i, { channel_type: e.target.value || undefined })}
              >
                <option value="">Every channel</option>
                {CHANNEL_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
              </select>
              <div className="days">
                {DAYS.map((d) => (
                  <label key={d} className="checkbox">
                    <input type="checkbox" checked={w.days.includes(d)} onChange={(e) => toggleDay(i, d, e.target.checked)} data-testid={`window-day-${d}`} />
                    {DAY_LABELS[d]}
                  </label>
                ))}
              </div>
              <input className="input" type="time" value={w.from} onChange={(e) => update(i, { from: e.target.value })} aria-label="From" data-testid="window-from" />
              <input className="input" type="time" value={w.to} onChange={(e) => update(i, { to: e.target.value })} aria-label="To" data-testid="window-to" />
              <Button variant="ghost" onClick={() => onChange(windows.filter((_, j) => j !== i))} aria-label="Remove window" data-testid="window-remove">✕</Button>
            </div>
            {problem && <div className="field-error">{problem}</div>}
          </div>
        );
      })}
      <Button onClick={() => onChange([...windows, newWindow()])} data-testid="window-add">Add a window</Button>
    </div>
  );
}
