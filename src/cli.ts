// `milap <command>`: each command lives in src/cli/<command>.ts and exports
// `run(args: string[]): Promise<number>` returning the exit status. Loaded lazily so that
// `milap link` never pulls in the database or the HTTP server.
const commands: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
  serve: { summary: 'run the API and the background worker', load: () => import('./cli/serve.ts') },
  migrate: { summary: 'apply database migrations and exit', load: () => import('./cli/migrate.ts') },
  rematch: { summary: 're-match records after a new model version (--all: every record)', load: () => import('./cli/rematch.ts') },
  users: { summary: 'manage users: add | disable | list', load: () => import('./cli/users.ts') },
  import: { summary: 'bulk-import records: --missing FILE.jsonl | --found FILE.jsonl', load: () => import('./cli/import.ts') },
  link: { summary: 'link two JSONL files without a database (CONTRACT.md)', load: () => import('./cli/link.ts') },
  train: { summary: 're-estimate the match model from data', load: () => import('./cli/train.ts') },
  synth: { summary: 'write a synthetic world: --missing N --found M --seed S', load: () => import('./cli/synth.ts') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return `usage: milap <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`milap: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}

const status = await main(process.argv.slice(2));
// serve keeps running until a signal; every other command ends here.
if (status !== -1) process.exitCode = status;
