import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseValue, type NormaliseContext } from './field-types.js';
import type { FieldDef } from './fields.js';

const co: NormaliseContext = { defaultCountry: 'CO', dateFormat: 'dd/mm/yyyy', decimalSeparator: ',' };
const us: NormaliseContext = { defaultCountry: 'US', dateFormat: 'mm/dd/yyyy', decimalSeparator: '.' };
const f = (type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef => ({ key: 'x', label: 'X', type, ...extra });
const val = (field: FieldDef, v: unknown, ctx = co) => {
  const r = normaliseValue(field, v, ctx);
  return r.ok ? r.value : `ERR ${r.reason}`;
};

test('phones become E.164 with the list default country', () => {
  assert.equal(val(f('phone'), '300 123 4567'), '+573001234567');
  assert.equal(val(f('phone'), '+57 (300) 123-4567'), '+573001234567');
  assert.equal(val(f('phone'), '(415) 555-2671', us), '+14155552671');
  assert.match(String(val(f('phone'), '12')), /^ERR .*not a valid phone/);
  // a contact's own country wins over the list default
  const r = normaliseValue(f('phone'), '612 34 56 78', co, 'ES');
  assert.deepEqual(r, { ok: true, value: '+34612345678' });
});

test('emails: syntax checked, domain lower-cased, local part kept', () => {
  assert.equal(val(f('email'), ' Ana.Perez@Banco.COM.co '), 'Ana.Perez@banco.com.co');
  assert.match(String(val(f('email'), 'ana@@banco.co')), /^ERR/);
  assert.match(String(val(f('email'), 'ana perez@banco.co')), /^ERR/);
  assert.match(String(val(f('email'), 'ana@banco')), /^ERR/);
});

test('dates in ISO or the list format; impossible dates rejected', () => {
  assert.equal(val(f('date'), '15/03/2026'), '2026-03-15');
  assert.equal(val(f('date'), '2026-03-15'), '2026-03-15');
  assert.equal(val(f('date'), '03/15/2026', us), '2026-03-15');
  assert.match(String(val(f('date'), '31/02/2026')), /not a real date/);
  assert.match(String(val(f('date'), '15/03/2026', { ...us, dateFormat: 'yyyy-mm-dd' })), /^ERR/);
  assert.equal(val(f('datetime'), '2026-03-15T10:00:00-05:00'), '2026-03-15T15:00:00.000Z');
  assert.equal(val(f('datetime'), '15/03/2026 08:30'), '2026-03-15T08:30:00.000Z');
});

test('numbers with a decimal comma or point, and thousands separators', () => {
  assert.equal(val(f('number'), '1.234.567,89'), 1234567.89);
  assert.equal(val(f('number'), '-12,5'), -12.5);
  assert.equal(val(f('number'), '1,234,567.89', us), 1234567.89);
  assert.equal(val(f('number'), 42), 42);
  assert.match(String(val(f('number'), 'doce')), /not a number/);
});

test('booleans, enums, standard formats, empties', () => {
  assert.equal(val(f('boolean'), 'Sí'), true);
  assert.equal(val(f('boolean'), 'no'), false);
  assert.match(String(val(f('boolean'), 'maybe')), /^ERR/);
  const seg = f('enum', { options: ['Gold', 'Silver'] });
  assert.equal(val(seg, 'gold'), 'Gold');
  assert.match(String(val(seg, 'Bronze')), /not one of: Gold, Silver/);
  assert.equal(val(f('text', { format: 'timezone' }), 'America/Bogota'), 'America/Bogota');
  assert.match(String(val(f('text', { format: 'timezone' }), 'Bogota')), /^ERR/);
  assert.equal(val(f('text', { format: 'country' }), 'co'), 'CO');
  assert.equal(val(f('text'), '   '), null);
  assert.match(String(val(f('text'), { a: 1 })), /single value/);
});
