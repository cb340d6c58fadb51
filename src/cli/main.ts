// cct: the command line of Cloud Conversion Tool. Exit status 0 when everything worked,
// 1 when anything failed (one line on stderr each), 2 for a wrong command line.
import { parseArgs } from 'node:util';
import { CliError, createClient } from './client.ts';
import { convertFiles } from './convert.ts';
import { login } from './login.ts';
import { loadSettings } from './settings.ts';

const USAGE = `Usage:
  cct login                              ask for username and password, save an API key
  cct convert FILE… --to FORMAT          convert files, save each result next to its file
        [--bitrate KBITS] [--sample-rate HZ] [--channels N]
  cct ls                                 list your conversions, newest first
  cct rm ID…                             delete conversions and their files

Environment: CCT_URL (default http://127.0.0.1:8080), CCT_API_KEY (instead of cct login).`;

class UsageError extends Error {}

async function authenticatedClient() {
  const settings = await loadSettings();
  if (!settings.apiKey) throw new CliError('not logged in: run `cct login`, or set CCT_API_KEY');
  return createClient(settings.url, settings.apiKey);
}

const pad = (text: string, width: number) => text.padEnd(width);

async function list(): Promise<number> {
  const tasks = await (await authenticatedClient()).listTasks();
  if (tasks.length === 0) console.log('No conversions yet: cct convert FILE --to mp3');
  for (const task of tasks) {
    const state = task.expired ? 'expired' : task.status === 'processing' ? `processing ${task.progress}%` : task.status;
    const files = task.expired ? 'files deleted' : `files until ${task.expiresAt.slice(0, 16).replace('T', ' ')}`;
    console.log(`${pad(String(task.id), 6)} ${pad(state, 15)} ${task.fileName} → ${task.targetFormat}  (${files})`);
  }
  return 0;
}

async function remove(ids: string[]): Promise<number> {
  if (ids.length === 0) throw new UsageError('cct rm needs at least one task id (see cct ls)');
  const client = await authenticatedClient();
  let failures = 0;
  for (const id of ids) {
    try {
      if (!/^\d+$/.test(id)) throw new CliError(`"${id}" is not a task id; see cct ls`);
      await client.deleteTask(Number(id));
      console.log(`deleted ${id}`);
    } catch (error) {
      failures += 1;
      console.error(`cct: rm ${id}: ${(error as Error).message}`);
    }
  }
  return failures ? 1 : 0;
}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      bitrate: { type: 'string' },
      'sample-rate': { type: 'string' },
      channels: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'login':
      await login((await loadSettings()).url);
      return 0;
    case 'convert': {
      if (!values.to) throw new UsageError('cct convert needs --to FORMAT, e.g. --to mp3');
      if (rest.length === 0) throw new UsageError('cct convert needs at least one file');
      const options = { to: values.to, bitrate: values.bitrate, sampleRate: values['sample-rate'], channels: values.channels };
      return (await convertFiles(await authenticatedClient(), rest, options)) > 0 ? 1 : 0;
    }
    case 'ls':
      return list();
    case 'rm':
      return remove(rest);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`cct: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`cct: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
