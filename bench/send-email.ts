// Email sending benchmark: N consenting contacts (default 100,000) in a segment, one marketing
// broadcast (`POST /v1/broadcasts`) through the whole path — render per contact, policy gate,
// messages + outbox, the outbox worker, the smtp channel — into a local `smtp-server` (the sink,
// its own process); against raw nodemailer (pooled transport, same pool size) sending the same
// number of already-rendered messages of the same size to the same sink, in the same run.
//
//   npm run build && npx tsx bench/send-email.ts [--rows 100000] [--target server|embedded|both]
//     [--pool-size 5] [--sink-latency-ms 0] [--database-url postgres://postgres@127.0.0.1:5432/test] [--cpu-prof] [--keep]
//
// Target (issue): Conversa ≥ 70 % of raw messages/s, POST → the last message at the sink.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convert } from 'html-to-text';
import type { SendMailOptions } from 'nodemailer';
import { DEFAULT_SERVER_URL } from './lib.js';
import { benchEmail, benchName, rawSmtp, sendMain, targetsOf, type SendScenario } from './send-lib.js';

export const FROM = 'Banco Bench <ofertas@banco.bench.example>';
export const SUBJECT = 'Hola {{ contact.name }}, tu oferta de noviembre';

/** A plain marketing email (~2.5 KB of HTML): a greeting, three paragraphs, one tracked link, the unsubscribe link. */
export const EMAIL_HTML = `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Oferta de noviembre</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:Arial,Helvetica,sans-serif;color:#222">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="24" cellspacing="0" style="background:#ffffff">
<tr><td>
<h1 style="font-size:22px;margin:0 0 16px">Hola {{ contact.name }},</h1>
<p style="font-size:15px;line-height:22px">Este mes tu tarjeta de crédito tiene una tasa preferencial en compras
nacionales e internacionales. Difiere tus compras hasta 36 meses y paga la primera cuota en enero.</p>
<p style="font-size:15px;line-height:22px">Además, por cada compra superior a $200.000 acumulas el doble de puntos,
que puedes redimir en tiquetes aéreos, bonos de regalo y el pago de tu cuota de manejo.</p>
<p style="font-size:15px;line-height:22px">La oferta es válida hasta el 30 de noviembre para clientes con la
tarjeta al día. Aplican condiciones y restricciones; consulta el reglamento en nuestra página.</p>
<p style="text-align:center;margin:28px 0"><a href="https://www.banco.bench.example/ofertas/noviembre?utm_source=email&amp;utm_campaign=nov"
 style="background:#0b5fff;color:#ffffff;padding:12px 24px;border-radius:4px;text-decoration:none;font-weight:bold">Ver mi oferta</a></p>
<p style="font-size:12px;line-height:18px;color:#666">Recibes este correo porque aceptaste recibir ofertas del banco.
Si no quieres recibir más, <a href="{{ unsubscribe_url }}" style="color:#666">date de baja aquí</a>.</p>
</td></tr></table>
</td></tr></table>
</body></html>
`;

const NAME = '{{ contact.name }}';
const UNSUB = '{{ unsubscribe_url }}';
const OFFER = 'https://www.banco.bench.example/ofertas/noviembre?utm_source=email&amp;utm_campaign=nov';
// The text part as html-to-text makes it, worked out once: the raw client does no rendering.
const EMAIL_TEXT = convert(EMAIL_HTML, { wordwrap: 78 });

/**
 * Message `i` as Conversa would send it, rendered by string replacement: the same name, a tracked
 * link and an unsubscribe link of the same length as Conversa's, its id and unsubscribe headers.
 */
export function rawEmail(i: number, publicUrl: string): SendMailOptions {
  const name = benchName(i);
  const link = `${publicUrl}/l/${randomBytes(16).toString('base64url')}`;
  const unsubscribe = `${publicUrl}/u/${randomBytes(24).toString('base64url')}`;
  const fill = (s: string) => s.replaceAll(NAME, name).replaceAll(UNSUB, unsubscribe).replaceAll(OFFER, link);
  return {
    from: FROM, to: benchEmail(i), subject: SUBJECT.replace(NAME, name), html: fill(EMAIL_HTML), text: fill(EMAIL_TEXT),
    headers: {
      'X-Conversa-Message-Id': `msg_${randomBytes(12).toString('base64url')}`,
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

export function emailScenario(poolSize: number): SendScenario {
  return {
    kind: 'email', sink: 'smtp', concurrency: poolSize,
    channel: (port) => ({
      name: 'Bench SMTP sink', type: 'smtp', cost_per_message: 0,
      config: { host: '127.0.0.1', port, secure: false, from: FROM, pool_size: poolSize },
    }),
    template: { name: 'Oferta de noviembre', channel_type: 'email', subject: SUBJECT, body: EMAIL_HTML },
    // In flight: 10 per pooled connection keeps every connection busy without queueing 100k in memory.
    raw: (sink, n, { publicUrl }) => rawSmtp(sink, { n, poolSize, inFlight: poolSize * 10, message: (i) => rawEmail(i, publicUrl) }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      target: { type: 'string', default: 'both' },
      'pool-size': { type: 'string', default: '5' },
      'sink-latency-ms': { type: 'string', default: '0' },
      'database-url': { type: 'string', default: DEFAULT_SERVER_URL },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const poolSize = Number(values['pool-size']);
  await sendMain(`Email sending benchmark (smtp channel, pool_size ${poolSize})`, emailScenario(poolSize), {
    rows: Number(values.rows), targets: targetsOf(values.target), serverUrl: values['database-url'], sinkLatencyMs: Number(values['sink-latency-ms']), cpuProf: values['cpu-prof'], keep: values.keep,
  });
}
