import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { createTestApp, type TestApp } from '../../test-support/app.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
  await t.startWorkers();
});
after(async () => { await t.close(); });

interface ImportView { id: string; status: string; rows: number; inserted: number; updated: number; rejected: number; bytes: number; error?: string }

async function createList(body: Record<string, unknown>): Promise<string> {
  const r = await t.call('POST', '/v1/lists', { name: 'Clientes', ...body });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().id;
}

function upload(listId: string, body: string | Buffer, opts: { type?: string; query?: Record<string, string>; key?: string; path?: string } = {}) {
  const q = new URLSearchParams(opts.query ?? {}).toString();
  return t.call('POST', `/v1/lists/${listId}/imports${opts.path ?? ''}${q ? `?${q}` : ''}`, body, {
    key: opts.key, headers: { 'content-type': opts.type ?? 'text/csv' },
  });
}

async function waitFor(id: string): Promise<ImportView> {
  for (let i = 0; i < 600; i++) {
    const r = await t.call('GET', `/v1/imports/${id}`);
    assert.equal(r.statusCode, 200, r.body);
    if (r.json().status === 'done' || r.json().status === 'failed') return r.json();
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`import ${id} did not finish`);
}

async function importCsv(listId: string, body: string | Buffer, opts: Parameters<typeof upload>[2] = {}): Promise<ImportView> {
  const r = await upload(listId, body, opts);
  assert.equal(r.statusCode, 202, r.body);
  assert.equal(r.json().status, 'queued');
  return waitFor(r.json().id);
}

async function contacts(listId: string): Promise<Record<string, Record<string, unknown>>> {
  const { rows } = await t.db.pool.query<{ key_value: string; data: Record<string, unknown> }>(
    'SELECT key_value, data FROM contacts WHERE list_id = $1', [listId]);
  return Object.fromEntries(rows.map((r) => [r.key_value, r.data]));
}

async function errorLines(id: string): Promise<string[]> {
  const r = await t.call('GET', `/v1/imports/${id}/errors`);
  assert.equal(r.statusCode, 200);
  assert.match(r.headers['content-type'] as string, /^text\/csv/);
  return r.body.trimEnd().split('\r\n');
}

const countImports = async () => (await t.db.pool.query<{ n: number }>('SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM import_chunks) AS n')).rows[0]!.n;

function multipart(field: string, data: Buffer | string, type = 'text/csv'): { body: Buffer; type: string } {
  const b = 'conversa-boundary-7d1';
  const body = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${field}"; filename="clientes.csv"\r\nContent-Type: ${type}\r\n\r\n`),
    Buffer.from(data), Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${b}` };
}

test('UTF-8 with BOM; headers matched by label or key ignoring case and accents; Colombian phones', async () => {
  const listId = await createList({
    key_field: 'documento', default_country: 'CO',
    fields: [{ key: 'documento', label: 'Número de documento', type: 'text' }, { key: 'nombre', label: 'Nombre completo', type: 'text' },
      { key: 'telefono', label: 'Telefono', type: 'phone' }],
  });
  const csv = '\ufeffNUMERO DE DOCUMENTO,Teléfono,nombre_completo,E-mail,Correo electrónico\r\n' +
    '1001,300 123 4567,José Pérez,JOSE@Banco.CO,ignored\r\n1002,+57 (601) 555 1234,Ana Núñez,,x\r\n';
  const done = await importCsv(listId, csv);
  assert.deepEqual([done.status, done.rows, done.inserted, done.updated, done.rejected], ['done', 2, 2, 0, 0]);
  const c = await contacts(listId);
  assert.deepEqual(c['1001'], { documento: '1001', nombre: 'José Pérez', telefono: '+573001234567', email: 'JOSE@banco.co' });
  assert.equal(c['1002']!.telefono, '+576015551234');
  assert.equal(done.bytes, Buffer.byteLength(csv));
});

test('Windows-1252 file with ; delimiter, dd/mm/yyyy dates and decimal comma', async () => {
  const listId = await createList({
    key_field: 'doc', date_format: 'dd/mm/yyyy', decimal_separator: ',',
    fields: [{ key: 'doc', label: 'Doc', type: 'text' }, { key: 'nombre', label: 'Nombre', type: 'text' },
      { key: 'corte', label: 'Fecha de corte', type: 'date' }, { key: 'saldo', label: 'Saldo', type: 'number' }],
  });
  const csv = iconv.encode('Doc;Nombre;Fecha de corte;Saldo\n1;Ñandú Méndez;31/12/1990;1.234,56\n2;Zoë;29/02/2023;-7,5\n', 'win1252');
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(csv), 'the test file is not UTF-8');
  const preview = await upload(listId, csv, { path: '/preview' });
  assert.equal(preview.statusCode, 200, preview.body);
  assert.deepEqual(preview.json(), {
    delimiter: ';', encoding: 'windows-1252', header: ['Doc', 'Nombre', 'Fecha de corte', 'Saldo'],
    rows: [['1', 'Ñandú Méndez', '31/12/1990', '1.234,56'], ['2', 'Zoë', '29/02/2023', '-7,5']],
    mapping: { Doc: 'doc', Nombre: 'nombre', 'Fecha de corte': 'corte', Saldo: 'saldo' },
  });
  const done = await importCsv(listId, csv);
  assert.deepEqual([done.inserted, done.rejected], [1, 1]);
  assert.deepEqual((await contacts(listId))['1'], { doc: '1', nombre: 'Ñandú Méndez', corte: '1990-12-31', saldo: 1234.56 });
  assert.deepEqual(await errorLines(done.id), ['line,field,value,reason', '3,corte,29/02/2023,"""29/02/2023"" is not a real date (dd/mm/yyyy)"']);
});

test('tab-separated file with quoted line breaks; explicit mapping; multipart upload', async () => {
  const listId = await createList({ key_field: 'doc', fields: [{ key: 'doc', label: 'Doc', type: 'text' }, { key: 'notas', label: 'Notas', type: 'text' }] });
  const tsv = 'ID Cliente\tComentario\tBasura\n7\t"primera línea\nsegunda ""citada"""\tx\n8\tsimple\ty\n9\t\tz\n';
  const mapping = JSON.stringify({ 'ID Cliente': 'doc', Comentario: 'notas', Basura: null });
  const form = multipart('file', tsv, 'text/tab-separated-values');
  const done = await importCsv(listId, form.body, { type: form.type, query: { mapping } });
  assert.deepEqual([done.rows, done.inserted, done.rejected], [3, 3, 0]);
  const c = await contacts(listId);
  assert.deepEqual(c['7'], { doc: '7', notas: 'primera línea\nsegunda "citada"' });
  assert.deepEqual(c['9'], { doc: '9' });
  // Again with the delimiter given and a blank cell: the stored value stays, a new one replaces.
  const again = await importCsv(listId, 'Doc\tNotas\n7\t\n8\tnueva\n', { type: 'text/tab-separated-values', query: { delimiter: 'tab' } });
  assert.deepEqual([again.inserted, again.updated], [0, 2]);
  const after = await contacts(listId);
  assert.equal(after['7']!.notas, 'primera línea\nsegunda "citada"');
  assert.equal(after['8']!.notas, 'nueva');
});

test('a ragged row and an unterminated quote are reported per line; the other rows import', async () => {
  const listId = await createList({ key_field: 'doc', fields: [{ key: 'doc', label: 'Doc', type: 'text' }, { key: 'nombre', label: 'Nombre', type: 'text' }] });
  const csv = 'doc,nombre\n1,Ana\n2,Luis,extra\n3,"Dos\nlíneas"\n\n4,Eva\n5,"sin cerrar\n6,Juan\n';
  const done = await importCsv(listId, csv);
  assert.deepEqual([done.status, done.rows, done.inserted, done.rejected], ['done', 5, 3, 2]);
  assert.deepEqual(Object.keys(await contacts(listId)).sort(), ['1', '3', '4']);
  const lines = await errorLines(done.id);
  assert.equal(lines[1], '3,,"2,Luis,extra","the row has 3 fields, the header has 2"');
  assert.match(lines[2]!, /^8,,,a quoted field is never closed/);
  assert.equal(lines.length, 3);
});

test('validation errors become an error CSV, with formula-looking values defused', async () => {
  const listId = await createList({
    key_field: 'doc', default_country: 'CO',
    fields: [{ key: 'doc', label: 'Doc', type: 'text' }, { key: 'nombre', label: 'Nombre', type: 'text', required: true },
      { key: 'cupo', label: 'Cupo', type: 'number' }, { key: 'telefono', label: 'Telefono', type: 'phone' }],
  });
  await importCsv(listId, 'doc,nombre\nold,Existing\n');
  const csv = 'doc,nombre,email,cupo,telefono\n' +
    'a1,Ana,=HYPERLINK("http://evil"),12,300 123 4567\n' + // bad email, reported defused
    'a2,,,1,\n' + // new contact without its required name
    'old,,,-5,\n' + // an existing contact may be updated without it
    ',Nadie,,,\n' + // no key
    'a3,Eva,@x,abc,123\n' + // three bad values: one rejected row, three errors
    'a4,Leo,,,\n' + 'a4,,,7,\n'; // the same key twice: inserted, then updated
  const done = await importCsv(listId, csv);
  assert.deepEqual([done.rows, done.inserted, done.updated, done.rejected], [7, 1, 2, 4]);
  const c = await contacts(listId);
  assert.deepEqual(c.old, { doc: 'old', nombre: 'Existing', cupo: -5 });
  assert.deepEqual(c.a4, { doc: 'a4', nombre: 'Leo', cupo: 7 });
  const lines = await errorLines(done.id);
  assert.deepEqual(lines, [
    'line,field,value,reason',
    `2,email,"'=HYPERLINK(""http://evil"")","""=HYPERLINK(""http://evil"")"" is not a valid email address"`,
    '3,nombre,,is required for a new contact',
    '5,doc,,"the key field ""doc"" is required"',
    `6,email,'@x,"""@x"" is not a valid email address"`,
    '6,cupo,abc,"""abc"" is not a number (decimal separator ""."")"',
    '6,telefono,123,"""123"" is not a valid phone number for CO"',
  ]);
  const m = await t.deps.metrics.registry.getSingleMetricAsString('conversa_import_rows_total');
  assert.match(m, /outcome="rejected"} \d+/);
});

test('refused uploads: 404, 415, 422 with the field named — and nothing is left behind', async () => {
  const listId = await createList({ key_field: 'doc', fields: [{ key: 'doc', label: 'Documento', type: 'text' }] });
  const before = await countImports();
  const expect = async (res: Awaited<ReturnType<typeof upload>>, status: number, pattern: RegExp, field?: string) => {
    assert.equal(res.statusCode, status, res.body);
    assert.match(res.json().error.message, pattern);
    if (field) assert.equal(res.json().error.details[0].field, field);
  };
  await expect(await upload('lst_nope', 'doc\n1\n'), 404, /list not found/);
  await expect(await upload(listId, ''), 422, /the file is empty/, 'file');
  await expect(await upload(listId, '\ufeff\r\n  \n'), 422, /the file is empty/, 'file');
  await expect(await upload(listId, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), { type: 'application/octet-stream' }), 422, /not a CSV file/, 'file');
  await expect(await upload(listId, Buffer.from('doc\n1\x00\x01\x02\n')), 422, /not a CSV file/, 'file');
  await expect(await upload(listId, '{"doc": 1}', { type: 'application/json' }), 415, /text\/csv/);
  await expect(await upload(listId, 'x', { type: 'image/png' }), 415, /image\/png/);
  const png = multipart('file', 'doc\n1\n', 'image/png');
  await expect(await upload(listId, png.body, { type: png.type }), 415, /image\/png/);
  const wrongPart = multipart('upload', 'doc\n1\n');
  await expect(await upload(listId, wrongPart.body, { type: wrongPart.type }), 422, /"file"/, 'file');
  await expect(await upload(listId, 'nombre,email\nAna,a@b.co\n'), 422, /key field "doc" has no column/, 'doc');
  await expect(await upload(listId, 'foo,bar\n1,2\n'), 422, /no column of the file matches/, 'header');
  await expect(await upload(listId, 'doc\n1\n', { query: { mapping: '{nope' } }), 422, /not valid JSON/, 'mapping');
  await expect(await upload(listId, 'id\n1\n', { query: { mapping: '{"id":"documentos"}' } }), 422, /unknown field "documentos"/, 'mapping.id');
  await expect(await upload(listId, 'Doc,documento\n1,2\n'), 422, /both map to field "doc"/, 'mapping.documento');
  assert.equal(await countImports(), before);
});

test('oversize uploads get 413 (raw, streamed without a length, multipart) and leave nothing behind', async () => {
  const small = await createTestApp({ config: { importBodyLimit: 1000 } });
  try {
    const r = await small.call('POST', '/v1/lists', { name: 'L', key_field: 'doc', fields: [{ key: 'doc', label: 'Doc', type: 'text' }] });
    const url = `/v1/lists/${r.json().id}/imports`;
    const big = 'doc\n' + '1234567\n'.repeat(200);
    const headers = { 'content-type': 'text/csv' };
    const raw = await small.call('POST', url, big, { headers });
    const streamed = await small.app.inject({ method: 'POST', url, headers: { ...headers, authorization: `Bearer ${small.key}` }, payload: Readable.from([Buffer.from(big)]) });
    const form = multipart('file', big);
    const parts = await small.call('POST', url, form.body, { headers: { 'content-type': form.type } });
    for (const res of [raw, streamed, parts]) {
      assert.equal(res.statusCode, 413, res.body);
      assert.equal(res.json().error.code, 'payload_too_large');
    }
    const ok = await small.call('POST', url, 'doc\n1\n', { headers });
    assert.equal(ok.statusCode, 202);
    const { rows } = await small.db.pool.query<{ n: number }>('SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM import_chunks) AS n');
    assert.equal(rows[0]!.n, 2, 'only the accepted import and its one chunk');
  } finally {
    await small.close();
  }
});

test('another account sees none of it: 404 for its list, imports and errors', async () => {
  const listId = await createList({ key_field: 'doc', fields: [{ key: 'doc', label: 'Doc', type: 'text' }] });
  const done = await importCsv(listId, 'doc\n1\n');
  const other = await t.newAccount();
  for (const url of [`/v1/imports/${done.id}`, `/v1/imports/${done.id}/errors`, `/v1/lists/${listId}/imports`]) {
    const r = await t.call('GET', url, undefined, { key: other.key });
    assert.equal(r.statusCode, 404, url);
  }
  assert.equal((await upload(listId, 'doc\n2\n', { key: other.key })).statusCode, 404);
  assert.equal((await upload(listId, 'doc\n2\n', { key: other.key, path: '/preview' })).statusCode, 404);
  const mine = await t.call('GET', `/v1/lists/${listId}/imports`);
  assert.deepEqual(mine.json().imports.map((i: ImportView) => [i.id, i.status, i.rows]), [[done.id, 'done', 1]]);
  assert.deepEqual(Object.keys(await contacts(listId)), ['1']);
});

test('preview reads only the start of a large file and suggests a mapping', async () => {
  const listId = await createList({ key_field: 'doc', fields: [{ key: 'doc', label: 'Documento', type: 'text' }, { key: 'ciudad', label: 'Ciudad', type: 'text' }] });
  const big = 'DOCUMENTO\tCiudad\tOtra\n' + Array.from({ length: 40_000 }, (_, i) => `${i}\tBogotá\tx`).join('\n');
  assert.ok(Buffer.byteLength(big) > 256 * 1024);
  const r = await upload(listId, big, { path: '/preview', query: { mapping: '{"Otra": null}' } });
  assert.equal(r.statusCode, 200, r.body);
  const p = r.json();
  assert.deepEqual([p.delimiter, p.encoding, p.header, p.rows.length, p.rows[9]], ['tab', 'utf-8', ['DOCUMENTO', 'Ciudad', 'Otra'], 10, ['9', 'Bogotá', 'x']]);
  assert.deepEqual(p.mapping, { DOCUMENTO: 'doc', Ciudad: 'ciudad', Otra: null });
});
