import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { CsvRowParser, readCsvRows, type CsvRow } from './csv-reader.js';
import { detectDelimiter, detectEncoding, looksBinary, sniffCsv } from './sniff.js';
import { headerKey, mapColumns, parseMappingParam } from './column-mapping.js';
import { csvCell, neutralise } from './errors-csv.js';
import type { ListSchema } from '../fields.js';

async function parseAll(text: string | Buffer, delimiter = ',', encoding = 'utf-8', pieceSize = 7): Promise<{ header?: string[]; rows: CsvRow[] }> {
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  // Tiny pieces: records, quotes and multi-byte characters get split across chunks.
  async function* pieces() {
    for (let i = 0; i < data.length; i += pieceSize) yield data.subarray(i, i + pieceSize);
  }
  const rows: CsvRow[] = [];
  const it = readCsvRows(pieces(), { delimiter, encoding });
  let r = await it.next();
  while (!r.done) {
    rows.push(...r.value);
    r = await it.next();
  }
  return { header: r.value.header, rows };
}

test('rows carry the line they start on: quoted line breaks (LF and CRLF) and blank lines counted right', async () => {
  for (const nl of ['\n', '\r\n']) {
    const csv = ['doc,notes', '1,plain', '', '2,"two', 'lines"', '3,"three', 'whole', 'lines"', '4,after', ''].join(nl);
    const { header, rows } = await parseAll(csv);
    assert.deepEqual(header, ['doc', 'notes']);
    assert.deepEqual(rows.map((r) => [r.line, r.fields[0]]), [[2, '1'], [4, '2'], [6, '3'], [9, '4']], `newline ${JSON.stringify(nl)}`);
    assert.equal(rows[1]!.fields[1], `two${nl}lines`);
  }
});

test('a ragged row is an error row, the rest parse; rows of bare delimiters are skipped', async () => {
  const { rows } = await parseAll('a,b\n1,2\n3,4,5\n,\n6\n7,8\n');
  assert.deepEqual(rows.map((r) => [r.line, r.error ?? null]), [
    [2, null], [3, 'the row has 3 fields, the header has 2'], [5, 'the row has 1 fields, the header has 2'], [6, null],
  ]);
});

test('an unterminated quote is reported on the line it opens and ends the file', async () => {
  const { rows } = await parseAll('a,b\n1,2\n\n3,"never closed\n4,5\n6,7\n');
  assert.equal(rows.length, 2);
  assert.equal(rows[1]!.line, 4);
  assert.match(rows[1]!.error!, /never closed/);
});

test('UTF-8 BOM stripped; Windows-1252 and UTF-16 decoded across chunk edges', async () => {
  const bom = await parseAll('\ufeffnombre,ciudad\nÑandú,Bogotá\n');
  assert.deepEqual(bom.header, ['nombre', 'ciudad']);
  assert.deepEqual(bom.rows[0]!.fields, ['Ñandú', 'Bogotá']);
  const latin = await parseAll(iconv.encode('nombre;ciudad\nÑandú José;Medellín\n', 'win1252'), ';', 'windows-1252', 3);
  assert.deepEqual(latin.rows[0]!.fields, ['Ñandú José', 'Medellín']);
  const utf16 = await parseAll(iconv.encode('\ufeffnombre\tciudad\nÑandú\tCali\n', 'utf16-le'), '\t', 'utf-16le', 3);
  assert.deepEqual(utf16.header, ['nombre', 'ciudad']);
  assert.deepEqual(utf16.rows[0]!.fields, ['Ñandú', 'Cali']);
});

test('encoding, delimiter and binary detection', () => {
  assert.equal(detectEncoding(Buffer.from('\ufeffa,b'), true), 'utf-8');
  assert.equal(detectEncoding(Buffer.from('nombre\nJosé'), true), 'utf-8');
  assert.equal(detectEncoding(iconv.encode('nombre\nJosé', 'win1252'), true), 'windows-1252');
  // A sample cut inside "é" is still UTF-8.
  assert.equal(detectEncoding(Buffer.from('nombre\nJosé').subarray(0, -1), false), 'utf-8');
  assert.equal(detectDelimiter('a;b;"c,d,e"\n1,2,3,4,5'), ';');
  assert.equal(detectDelimiter('a\tb\tc;d\n'), '\t');
  assert.equal(detectDelimiter('single'), ',');
  assert.equal(looksBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), 'utf-8'), true);
  assert.equal(looksBinary(Buffer.from('PK\x03\x04rest'), 'utf-8'), true);
  assert.equal(looksBinary(Buffer.from('a,b\n1,\x002\n'), 'utf-8'), true);
  assert.equal(looksBinary(Buffer.from('a,b\n1,2\n'), 'utf-8'), false);
});

test('sniffCsv refuses empty and binary files', async () => {
  await assert.rejects(sniffCsv(Buffer.from(' \r\n\n'), true), /the file is empty/);
  await assert.rejects(sniffCsv(Buffer.from('\ufeff'), true), /the file is empty/);
  await assert.rejects(sniffCsv(Buffer.from('%PDF-1.7\n'), true), /not a CSV file/);
  const s = await sniffCsv(Buffer.from('a;b\n1;2\n3;4'), true);
  assert.equal(s.delimiter, ';');
  assert.deepEqual(s.rows.map((r) => r.fields), [['1', '2'], ['3', '4']]);
});

const list: ListSchema = {
  id: 'l', account_id: 'a', key_field: 'documento', default_country: 'CO', date_format: 'yyyy-mm-dd', decimal_separator: '.',
  fields: [
    { key: 'documento', label: 'Número de documento', type: 'text' },
    { key: 'telefono', label: 'Teléfono', type: 'phone' },
    { key: 'fecha_corte', label: 'Fecha de corte', type: 'date' },
  ],
};

test('columns match keys or labels ignoring case, accents, spaces and underscores', () => {
  assert.equal(headerKey('  Teléfono_Móvil '), 'telefonomovil');
  const m = mapColumns(list, ['NUMERO DE DOCUMENTO', 'telefono', 'Fecha_de_Corte', 'E-mail', 'Correo electrónico', 'Consent marketing']);
  assert.deepEqual({ ...m }, {
    'NUMERO DE DOCUMENTO': 'documento', telefono: 'telefono', Fecha_de_Corte: 'fecha_corte', 'E-mail': 'email',
    'Correo electrónico': null, 'Consent marketing': 'consent_marketing',
  });
  const explicit = mapColumns(list, ['ID', 'Teléfono'], { ID: 'documento', 'Teléfono': null });
  assert.deepEqual({ ...explicit }, { ID: 'documento', 'Teléfono': null });
  assert.throws(() => mapColumns(list, ['ID'], { ID: 'nope' }), /mapping\.ID: unknown field "nope"/);
  assert.throws(() => mapColumns(list, ['ID'], { Other: 'documento' }), /mapping\.Other: the file has no column/);
  assert.throws(() => parseMappingParam('{bad json'), /mapping: is not valid JSON/);
  assert.throws(() => parseMappingParam('["a"]'), /mapping: must be a JSON object/);
  assert.throws(() => parseMappingParam('{"a": 3}'), /mapping\.a: must be a field key or null/);
});

test('error CSV cells are defused against formula injection and quoted', () => {
  for (const c of ['=1+1', '+57 300', '-5', '@SUM(A1)', '\tx', '\rx']) assert.equal(neutralise(c), `'${c}`);
  assert.equal(neutralise('ok'), 'ok');
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(12), '12');
});

test('the parser reports rows as chunks complete them, before the end of the input', async () => {
  const p = new CsvRowParser(',');
  assert.deepEqual(await p.write(Buffer.from('h1,h2\n1,')), []);
  assert.deepEqual((await p.write(Buffer.from('2\n3,4'))).map((r) => r.fields), [['1', '2']]);
  assert.deepEqual((await p.end()).map((r) => r.fields), [['3', '4']]);
});
