// `cct login`: asks for the username and password (or reads them from stdin), makes an API
// key named after this machine, and keeps only the key, in the user's config directory.
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { createClient } from './client.ts';
import { saveSettings } from './settings.ts';

/** Two lines from stdin when it is piped; on a terminal, prompts, without echoing the password. */
async function ask(): Promise<{ username: string; password: string }> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    const lines = rl[Symbol.asyncIterator]();
    const next = async () => String((await lines.next()).value ?? '').trim();
    try {
      return { username: await next(), password: await next() };
    } finally {
      rl.close();
    }
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const username = (await rl.question('Username or email: ')).trim();
    const password = rl.question('Password: '); // the prompt is written now; what is typed after is not
    muted = true;
    const typed = await password;
    muted = false;
    process.stderr.write('\n');
    return { username, password: typed };
  } finally {
    rl.close();
  }
}

export async function login(url: string): Promise<void> {
  const { username, password } = await ask();
  const session = await createClient(url).login(username, password);
  const { key, prefix } = await createClient(url, session.token).createKey(`cct on ${hostname()}`);
  const file = await saveSettings({ url, apiKey: key });
  console.log(`Logged in to ${url} as ${username}; API key ${prefix}… saved in ${file}`);
}
