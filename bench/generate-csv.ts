// Deterministic generator of a Colombian bank's contact file: N rows, 20 columns, headers in
// Spanish (some with accents), local formats as such files really come — phones `300 123 4567`,
// dates dd/mm/yyyy, amounts with a decimal comma `1.234.567,89`, booleans `Sí`/`No`, quoted
// addresses with commas. A seeded PRNG and no dependencies: the same (rows, seed, base date) give
// the same bytes, so a cached file in /tmp is reused between runs.
//
//   npx tsx bench/generate-csv.ts --rows 1000000 [--seed 42] [--out /tmp/file.csv]
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** mulberry32: a small, fast 32-bit PRNG — plenty for test data, and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the list the file belongs to ------------------------------------------------------------

type FieldType = 'text' | 'number' | 'date' | 'boolean' | 'email' | 'phone' | 'enum';
export interface BenchField { key: string; label: string; type: FieldType; required?: boolean; options?: string[] }

const TIPOS_DOC = ['CC', 'CE', 'TI', 'PA'] as const;
const SEGMENTOS = ['Masivo', 'Preferente', 'Premium', 'Élite'] as const;
const PRODUCTOS = ['Tarjeta de crédito', 'Crédito de consumo', 'Libranza', 'Crédito hipotecario', 'Crédito de vehículo'] as const;
const GENEROS = ['F', 'M', 'X'] as const;
const CANALES = ['SMS', 'Correo', 'WhatsApp', 'Llamada'] as const;

/** The 20 columns, in file order: the CSV header is each field's label. */
export const BENCH_FIELDS: readonly BenchField[] = [
  { key: 'cedula', label: 'Cédula', type: 'text', required: true },
  { key: 'tipo_documento', label: 'Tipo de documento', type: 'enum', options: [...TIPOS_DOC] },
  { key: 'nombre', label: 'Nombre', type: 'text' },
  { key: 'apellido', label: 'Apellido', type: 'text' },
  { key: 'email', label: 'Correo', type: 'email' },
  { key: 'phone', label: 'Teléfono', type: 'phone' },
  { key: 'ciudad', label: 'Ciudad', type: 'text' },
  { key: 'departamento', label: 'Departamento', type: 'text' },
  { key: 'direccion', label: 'Dirección', type: 'text' },
  { key: 'fecha_nacimiento', label: 'Fecha de nacimiento', type: 'date' },
  { key: 'fecha_pago', label: 'Fecha de pago', type: 'date' },
  { key: 'saldo', label: 'Saldo', type: 'number' },
  { key: 'cupo', label: 'Cupo', type: 'number' },
  { key: 'segmento', label: 'Segmento', type: 'enum', options: [...SEGMENTOS] },
  { key: 'producto', label: 'Producto', type: 'enum', options: [...PRODUCTOS] },
  { key: 'activo', label: 'Activo', type: 'boolean' },
  { key: 'consent_marketing', label: 'Acepta publicidad', type: 'boolean' },
  { key: 'genero', label: 'Género', type: 'enum', options: [...GENEROS] },
  { key: 'dias_mora', label: 'Días de mora', type: 'number' },
  { key: 'canal_preferido', label: 'Canal preferido', type: 'enum', options: [...CANALES] },
];

/** The body of `POST /v1/lists` for the generated file. */
export function benchListDefinition(name = 'Cartera bench') {
  return {
    name,
    key_field: 'cedula',
    default_country: 'CO',
    date_format: 'dd/mm/yyyy',
    decimal_separator: ',' as const,
    fields: BENCH_FIELDS.map((f) => ({ key: f.key, label: f.label, type: f.type, ...(f.required ? { required: true } : {}), ...(f.options ? { options: f.options } : {}) })),
  };
}

/** The segment the benches count: a text equality, a number range and a relative date. */
export const BENCH_FILTER = {
  and: [
    { field: 'ciudad', op: 'eq', value: 'Bogotá' },
    { field: 'saldo', op: 'between', value: [1_000_000, 5_000_000] },
    { field: 'fecha_pago', op: 'within_next_days', value: 30 },
  ],
} as const;

// ---- value pools -----------------------------------------------------------------------------

const NOMBRES = [
  'José', 'María', 'Andrés', 'Sebastián', 'Valentina', 'Camila', 'Juan', 'Ana', 'Sofía', 'Martín',
  'Nicolás', 'Daniela', 'Julián', 'Mónica', 'Lucía', 'Óscar', 'Héctor', 'Iván', 'Inés', 'Ramón',
  'Tomás', 'Jesús', 'Raúl', 'Germán', 'Verónica', 'Natalia', 'Paula', 'Santiago', 'Alejandro', 'Luisa',
  'Carolina', 'Felipe', 'Diana', 'Álvaro', 'Ángela', 'Joaquín', 'Simón', 'Estefanía', 'Efraín', 'Dolores',
  'María José', 'Juan Pablo', 'Luz Marina', 'Nubia', 'Yésica', 'Jhon Fredy', 'Leidy', 'Wílmar', 'Marlén', 'Begoña',
];
const APELLIDOS = [
  'García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez', 'Sánchez', 'Ramírez', 'Torres',
  'Gómez', 'Díaz', 'Muñoz', 'Álvarez', 'Jiménez', 'Ruiz', 'Moreno', 'Castaño', 'Peña', 'Ospina',
  'Zuluaga', 'Patiño', 'Quintero', 'Cárdenas', 'Guzmán', 'Vásquez', 'Ríos', 'Beltrán', 'Suárez', 'Ibáñez',
  'Núñez', 'Londoño', 'Restrepo', 'Echeverri', 'Marín', 'Giraldo', 'Agudelo', 'Bermúdez', 'Córdoba', 'Durán',
];
/** [city, department, weight]: Bogotá about a fifth of the file, as in a national bank's book. */
const CIUDADES: readonly (readonly [string, string, number])[] = [
  ['Bogotá', 'Bogotá D.C.', 20], ['Medellín', 'Antioquia', 12], ['Cali', 'Valle del Cauca', 10],
  ['Barranquilla', 'Atlántico', 8], ['Cartagena', 'Bolívar', 6], ['Cúcuta', 'Norte de Santander', 5],
  ['Bucaramanga', 'Santander', 5], ['Pereira', 'Risaralda', 4], ['Santa Marta', 'Magdalena', 3],
  ['Ibagué', 'Tolima', 3], ['Manizales', 'Caldas', 3], ['Villavicencio', 'Meta', 3], ['Pasto', 'Nariño', 3],
  ['Montería', 'Córdoba', 3], ['Neiva', 'Huila', 2], ['Popayán', 'Cauca', 2], ['Sincelejo', 'Sucre', 2],
  ['Valledupar', 'Cesar', 2], ['Tunja', 'Boyacá', 2], ['Armenia', 'Quindío', 2],
];
const CITY_WEIGHT = CIUDADES.reduce((s, c) => s + c[2], 0);
const DOMINIOS = ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.es', 'une.net.co', 'bancoejemplo.com.co'];
const VIAS = ['Calle', 'Carrera', 'Avenida', 'Transversal', 'Diagonal'];
/** Colombian mobile prefixes in use (3xx): libphonenumber's metadata accepts them all as CO mobiles. */
const PREFIJOS = [300, 301, 302, 303, 304, 305, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 322, 323, 324, 333, 350, 351];

// ---- rows ------------------------------------------------------------------------------------

/** A generated row: the CSV cells, plus the typed values a test needs to count a segment in JS. */
export interface BenchRow {
  cells: string[];
  cedula: string;
  ciudad: string;
  /** Normalised as Conversa stores it. */
  saldo: number;
  /** ISO YYYY-MM-DD, as Conversa stores a date. */
  fechaPago: string;
}

export interface GenerateOptions {
  rows: number;
  seed?: number;
  /** Day the payment dates are spread around (±180 days), ISO YYYY-MM-DD; default today (UTC). */
  baseDate?: string;
}

const DAY = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const ddmmyyyy = (t: number) => {
  const d = new Date(t);
  return `${pad2(d.getUTCDate())}/${pad2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
};
const plain = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase().replace(/[^a-z]+/g, '');

/** `1234567.89` → `1.234.567,89` (Colombian format). */
export function pesos(cents: number, decimals = true): string {
  const whole = Math.floor(cents / 100);
  const int = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return decimals ? `${int},${pad2(cents % 100)}` : int;
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const todayIso = () => new Date().toISOString().slice(0, 10);

/** Yields `opts.rows` rows, deterministic for (rows, seed, baseDate). */
export function* generateRows(opts: GenerateOptions): Generator<BenchRow> {
  const rnd = prng(opts.seed ?? 42);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const base = Date.parse(`${opts.baseDate ?? todayIso()}T00:00:00Z`);
  const born0 = Date.parse('1945-01-01T00:00:00Z');
  const bornSpan = Date.parse('2006-01-01T00:00:00Z') - born0;
  for (let i = 0; i < opts.rows; i++) {
    // A bijection of i onto 10-digit numbers: unique keys in a shuffled-looking order.
    const cedula = String(1_000_000_000 + ((i * 7_919 + 104_729) % 8_999_999_999));
    const r = rnd();
    const tipo = r < 0.9 ? 'CC' : r < 0.96 ? 'CE' : r < 0.99 ? 'TI' : 'PA';
    const nombre = pick(NOMBRES);
    const apellido = `${pick(APELLIDOS)} ${pick(APELLIDOS)}`;
    const email = `${plain(nombre)}.${plain(apellido.split(' ')[0]!)}${i % 10_000}@${pick(DOMINIOS)}`;
    const phone = `${pick(PREFIJOS)} ${String(Math.floor(rnd() * 1000)).padStart(3, '0')} ${String(Math.floor(rnd() * 10_000)).padStart(4, '0')}`;
    let w = rnd() * CITY_WEIGHT;
    let city = CIUDADES[0]!;
    for (const c of CIUDADES) if ((w -= c[2]) < 0) { city = c; break; }
    const via = pick(VIAS);
    const dir0 = `${via} ${1 + Math.floor(rnd() * 180)} # ${1 + Math.floor(rnd() * 120)}-${1 + Math.floor(rnd() * 99)}`;
    const dr = rnd();
    const direccion = dr < 0.3 ? `${dir0}, Apto ${100 + Math.floor(rnd() * 1500)}` : dr < 0.31 ? `${dir0}, Edificio "El Nogal"` : dir0;
    const nacimiento = ddmmyyyy(born0 + Math.floor(rnd() * bornSpan / DAY) * DAY);
    const pagoT = base + (Math.floor(rnd() * 361) - 180) * DAY;
    // Balances skew low (a product of two uniforms × 20 M): about 40 % fall between 1 M and 5 M.
    const saldoCents = Math.floor(rnd() * rnd() * 2_000_000_000);
    const cupoCents = (2 + Math.floor(rnd() * 59)) * 50_000_000;
    const activo = rnd() < 0.85 ? 'Sí' : 'No';
    const publicidad = rnd() < 0.6 ? 'S' : 'N';
    const mora = rnd() < 0.8 ? 0 : Math.floor(rnd() * 120);
    const cells = [
      cedula, tipo, nombre, apellido, email, phone, city[0], city[1], direccion, nacimiento, ddmmyyyy(pagoT),
      pesos(saldoCents), pesos(cupoCents, rnd() < 0.5), pick(SEGMENTOS), pick(PRODUCTOS), activo, publicidad,
      pick(GENEROS), String(mora), pick(CANALES),
    ];
    yield { cells, cedula, ciudad: city[0], saldo: saldoCents / 100, fechaPago: iso(pagoT) };
  }
}

export const csvHeader = (): string => BENCH_FIELDS.map((f) => csvCell(f.label)).join(',');
export const csvLine = (row: BenchRow): string => row.cells.map(csvCell).join(',');

/** Streams the CSV (header + rows, `\n` line ends, UTF-8 without BOM) to `file`. */
export async function writeCsv(file: string, opts: GenerateOptions): Promise<{ rows: number; bytes: number }> {
  const tmp = `${file}.${process.pid}.part`;
  const out = createWriteStream(tmp);
  let chunk = csvHeader() + '\n';
  let n = 0;
  for (const row of generateRows(opts)) {
    chunk += csvLine(row) + '\n';
    if (++n % 2_000 === 0) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  renameSync(tmp, file);
  return { rows: n, bytes: statSync(file).size };
}

/** The cached file for these options in the temp directory, generated if missing. */
export async function cachedCsv(opts: GenerateOptions, dir = tmpdir()): Promise<{ file: string; generated: boolean; ms: number }> {
  const baseDate = opts.baseDate ?? todayIso();
  const file = join(dir, `conversa-bench-${opts.rows}-s${opts.seed ?? 42}-${baseDate}.csv`);
  if (existsSync(file)) return { file, generated: false, ms: 0 };
  const t0 = performance.now();
  await writeCsv(file, { ...opts, baseDate });
  return { file, generated: true, ms: performance.now() - t0 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '42' }, out: { type: 'string' }, 'base-date': { type: 'string' } } });
  const opts: GenerateOptions = { rows: Number(values.rows), seed: Number(values.seed), baseDate: values['base-date'] };
  const t0 = performance.now();
  if (values.out) {
    const r = await writeCsv(values.out, opts);
    console.log(`${values.out}: ${r.rows} rows, ${(r.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    const r = await cachedCsv(opts);
    console.log(`${r.file}: ${r.generated ? `generated in ${(r.ms / 1000).toFixed(1)} s` : 'cached'}, ${(statSync(r.file).size / 1e6).toFixed(1)} MB`);
  }
}
