// SMS sending benchmark: N consenting contacts (default 100,000) in a segment, one marketing
// broadcast (`POST /v1/broadcasts`) through the whole path — render per contact, policy gate,
// messages + outbox, the outbox worker, the smpp channel — into a local SMSC (`smpp.createServer`,
// its own process, answering every submit_sm at once); against one raw `smpp` session (bound as
// transceiver) submitting the same number of single-part texts with the same window, in the same run.
//
//   npm run build && npx tsx bench/send-sms.ts [--rows 100000] [--target server|embedded|both]
//     [--window 10] [--sink-latency-ms 0] [--database-url postgres://postgres@127.0.0.1:5432/test] [--cpu-prof] [--keep]
//
// Target (issue): Conversa ≥ 70 % of raw submit_sm/s, POST → the last submit_sm at the SMSC.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER_URL } from './lib.js';
import { benchName, benchPhone, rawSmpp, sendMain, targetsOf, type SendScenario } from './send-lib.js';

export const SOURCE_ADDR = 'BANCOBENCH';
/** One GSM-7 part (≤ 160 characters) whatever the contact's name. */
export const SMS_BODY = 'Banco Bench: Hola {{ contact.name }}, tu tarjeta tiene tasa preferencial en noviembre. Difiere tus compras a 36 meses. SALIR al 85432';

const SYSTEM_ID = 'bench';
const PASSWORD = 'bench';

export function smsScenario(window: number): SendScenario {
  return {
    kind: 'sms', sink: 'smpp', concurrency: window,
    channel: (port) => ({
      name: 'Bench SMSC sink', type: 'smpp', cost_per_message: 0,
      config: { host: '127.0.0.1', port, system_id: SYSTEM_ID, password: PASSWORD, source_addr: SOURCE_ADDR, window },
    }),
    template: { name: 'Oferta de noviembre (SMS)', channel_type: 'sms', body: SMS_BODY },
    raw: (sink, n) => rawSmpp(sink, {
      n, window, systemId: SYSTEM_ID, password: PASSWORD,
      message: (i) => ({
        source_addr: SOURCE_ADDR,
        destination_addr: benchPhone(i).slice(1),
        short_message: SMS_BODY.replace('{{ contact.name }}', benchName(i)),
      }),
    }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      target: { type: 'string', default: 'both' },
      window: { type: 'string', default: '10' },
      'sink-latency-ms': { type: 'string', default: '0' },
      'database-url': { type: 'string', default: DEFAULT_SERVER_URL },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const window = Number(values.window);
  await sendMain(`SMS sending benchmark (smpp channel, window ${window})`, smsScenario(window), {
    rows: Number(values.rows), targets: targetsOf(values.target), serverUrl: values['database-url'], sinkLatencyMs: Number(values['sink-latency-ms']), cpuProf: values['cpu-prof'], keep: values.keep,
  });
}
