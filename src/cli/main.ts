const USAGE = `Usage: conversa <command>

Commands:
  start     API, console and workers in one process (what \`npm start\` runs)
  worker    workers only, for more processes against one DATABASE_URL
  migrate   apply database migrations and exit
  flows     offline tools for flow definitions in files (CI):
              flows validate <file.json>...   the API's checks; "ok" or every problem
              flows simulate <file.json>      the path a contact would take, on a virtual clock
              flows examples                  the ready-made flows in examples/flows/
            \`conversa flows help\` for their options

Configuration is by environment: PORT, HOST, CONVERSA_DATA_DIR, DATABASE_URL,
CONVERSA_BOOTSTRAP_API_KEY, CONVERSA_BOOTSTRAP_EMAIL, CONVERSA_BOOTSTRAP_PASSWORD,
CONVERSA_PUBLIC_URL, CONVERSA_SANDBOX (see README.md).`;

/**
 * The `conversa` commands. Each loads its module only when run: the flow tools need neither the
 * server nor the database driver, and start faster without them.
 */
export async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
    case 'worker':
      return (await import('./server.js')).serve(command);
    case 'migrate':
      return (await import('./server.js')).migrate();
    case 'flows':
      process.exitCode = await (await import('./flows.js')).runFlows(rest);
      return;
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      process.stderr.write(`conversa: unknown command "${command}"\n\n${USAGE}\n`);
      process.exitCode = 2;
  }
}
