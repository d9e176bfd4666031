// temporary micro-measurement (deleted after use)
import { convert, compile } from 'html-to-text';
import { EMAIL_HTML } from './send-email.js';
const opts = { wordwrap: 78, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'div[style*="display:none"]', format: 'skip' }, { selector: 'a', options: { hideLinkHrefIfSameAsText: true } }] };
const html = EMAIL_HTML.replaceAll('{{ contact.name }}', 'Ana 1').replaceAll('{{ unsubscribe_url }}', 'http://127.0.0.1:1234/u/abcdefabcdefabcdefabcdefabcdefab');
const N = 2000;
const time = (label: string, fn: () => unknown) => { for (let i = 0; i < 200; i++) fn(); const t = performance.now(); for (let i = 0; i < N; i++) fn(); console.log(label, ((performance.now() - t) / N * 1000).toFixed(1), 'µs'); };
time('convert(html, opts) per call', () => convert(html, opts));
const c = compile(opts);
time('compile(opts) once, then c(html)', () => c(html));
time('new Intl.DateTimeFormat(tz) (validTimezone)', () => new Intl.DateTimeFormat('en', { timeZone: 'America/Bogota' }).resolvedOptions().timeZone);
const m = new Map<string, string>();
time('cached validTimezone', () => { let v = m.get('America/Bogota'); if (!v) m.set('America/Bogota', v = new Intl.DateTimeFormat('en', { timeZone: 'America/Bogota' }).resolvedOptions().timeZone); return v; });
time('Intl.getCanonicalLocales+supportedLocalesOf (validLocale)', () => Intl.NumberFormat.supportedLocalesOf(Intl.getCanonicalLocales('es-CO')));
