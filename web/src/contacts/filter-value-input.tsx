import { Input, Select } from '../ui/controls';
import { isDaysOp, isListOp, takesNoValue, type ConditionNode } from './filter-model';
import type { FieldDef } from './types';

const BOOLEAN_OPTIONS = [
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
];

/** The value input(s) a condition needs, shaped by its field's type and its operator. */
export function FilterValueInput({ cond, field, onChange }: {
  cond: ConditionNode;
  field: FieldDef | undefined;
  onChange: (patch: Partial<ConditionNode>) => void;
}) {
  const type = field?.type ?? 'text';
  if (takesNoValue(cond.op)) return null;

  if (isDaysOp(cond.op)) {
    return (
      <span className="filter-value">
        <Input type="number" min={0} step={1} value={cond.value} onChange={(e) => onChange({ value: e.target.value })} data-testid="filter-value" aria-label="Days" className="input-narrow" />
        <span className="muted">days</span>
      </span>
    );
  }

  if (isListOp(cond.op)) {
    if (type === 'enum') {
      return (
        <select
          multiple className="input filter-multi" value={cond.values} data-testid="filter-value" aria-label="Values"
          onChange={(e) => onChange({ values: Array.from(e.target.selectedOptions, (o) => o.value) })}
        >
          {(field?.options ?? []).map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      );
    }
    return (
      <Input value={cond.value} onChange={(e) => onChange({ value: e.target.value })} placeholder="Values, separated by commas" data-testid="filter-value" aria-label="Values" />
    );
  }

  const single = (which: 'value' | 'value2', label: string) => {
    const v = cond[which];
    const set = (s: string) => onChange(which === 'value' ? { value: s } : { value2: s });
    const common = { 'aria-label': label, 'data-testid': which === 'value' ? 'filter-value' : 'filter-value2' };
    switch (type) {
      case 'number':
        return <Input type="number" step="any" value={v} onChange={(e) => set(e.target.value)} {...common} />;
      case 'date':
        return <Input type="date" value={v} onChange={(e) => set(e.target.value)} {...common} />;
      case 'datetime':
        return <Input type="datetime-local" value={v} onChange={(e) => set(e.target.value)} {...common} />;
      case 'boolean':
        return <Select options={BOOLEAN_OPTIONS} placeholder="Choose…" value={v} onChange={(e) => set(e.target.value)} {...common} />;
      case 'enum':
        return <Select options={(field?.options ?? []).map((o) => ({ value: o, label: o }))} placeholder="Choose…" value={v} onChange={(e) => set(e.target.value)} {...common} />;
      default:
        return <Input type="text" value={v} onChange={(e) => set(e.target.value)} placeholder="Value" {...common} />;
    }
  };

  if (cond.op === 'between') {
    return (
      <span className="filter-value">
        {single('value', 'From')}
        <span className="muted">and</span>
        {single('value2', 'To')}
      </span>
    );
  }
  return <span className="filter-value">{single('value', 'Value')}</span>;
}
