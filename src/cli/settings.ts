// Where the CLI talks to and with which key: CCT_URL and CCT_API_KEY, else the file that
// `cct login` wrote in the user's config directory (mode 600: it holds a credential).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import envPaths from 'env-paths';

export interface Settings {
  url: string;
  apiKey?: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const settingsFile = () => join(envPaths('cct', { suffix: '' }).config, 'config.json');

async function readSaved(): Promise<Partial<Settings>> {
  try {
    return JSON.parse(await readFile(settingsFile(), 'utf8')) as Partial<Settings>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${settingsFile()}: ${(error as Error).message}; fix or delete it and run \`cct login\``, { cause: error });
  }
}

export async function loadSettings(env = process.env): Promise<Settings> {
  const saved = await readSaved();
  const url = (env.CCT_URL || saved.url || DEFAULT_URL).replace(/\/+$/, '');
  return { url, apiKey: env.CCT_API_KEY || saved.apiKey };
}

export async function saveSettings(settings: Settings): Promise<string> {
  const file = settingsFile();
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return file;
}
