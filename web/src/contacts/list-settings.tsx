import { Field, Input, Select } from '../ui/controls';
import { DATE_FORMATS, type DateFormat, type DecimalSeparator } from './types';

export interface ListSettings {
  default_country: string;
  date_format: DateFormat;
  decimal_separator: DecimalSeparator;
}

const DATE_OPTIONS = DATE_FORMATS.map((f) => ({ value: f, label: f }));
const DECIMAL_OPTIONS = [
  { value: '.', label: 'Point (1234.56)' },
  { value: ',', label: 'Comma (1234,56)' },
];

/** How a list reads imported values: phone numbers without a country code, dates, decimals. */
export function ListSettingsFields({ value, onChange, errorFor }: {
  value: ListSettings; onChange: (v: ListSettings) => void; errorFor?: (field: string) => string | undefined;
}) {
  return (
    <div className="form-grid">
      <Field label="Default country" hint="ISO code for phone numbers without a country prefix, e.g. CO" error={errorFor?.('default_country')}>
        <Input
          value={value.default_country} maxLength={2} placeholder="CO" className="input-narrow mono"
          onChange={(e) => onChange({ ...value, default_country: e.target.value.toUpperCase() })} data-testid="list-default-country"
        />
      </Field>
      <Field label="Date format" hint="How dates are written in imported files" error={errorFor?.('date_format')}>
        <Select options={DATE_OPTIONS} value={value.date_format} onChange={(e) => onChange({ ...value, date_format: e.target.value as DateFormat })} data-testid="list-date-format" />
      </Field>
      <Field label="Decimal separator" error={errorFor?.('decimal_separator')}>
        <Select options={DECIMAL_OPTIONS} value={value.decimal_separator} onChange={(e) => onChange({ ...value, decimal_separator: e.target.value as DecimalSeparator })} data-testid="list-decimal-separator" />
      </Field>
    </div>
  );
}
