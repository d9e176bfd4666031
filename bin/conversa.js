#!/usr/bin/env node
// The `conversa` binary. The TypeScript is compiled to dist/ by `npm install` (the prepare
// script); a checkout that skipped it gets a clear hint instead of a stack trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('conversa: dist/ is missing — run `npm install` (or `npm run build`) first.');
  process.exit(1);
}
const { run } = await import(main);
await run(process.argv.slice(2));
