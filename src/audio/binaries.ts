// Which ffmpeg and ffprobe to run: configured paths, else the system's, else the
// static builds shipped in optional npm packages (a machine with nothing but Node).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function resolveBinary(name: 'ffmpeg' | 'ffprobe', configured: string | undefined, npmPackage: string): string {
  if (configured) return configured;
  if (spawnSync(name, ['-version'], { stdio: 'ignore' }).status === 0) return name;
  try {
    return (require(npmPackage) as { path: string }).path;
  } catch {
    throw new Error(`${name} was not found: install it (apt-get install ffmpeg), set ${name.toUpperCase()}_PATH, or install the optional npm dependencies`);
  }
}

export interface Binaries {
  ffmpeg: string;
  ffprobe: string;
}

export function findBinaries(config: { FFMPEG_PATH?: string; FFPROBE_PATH?: string }): Binaries {
  return {
    ffmpeg: resolveBinary('ffmpeg', config.FFMPEG_PATH, '@ffmpeg-installer/ffmpeg'),
    ffprobe: resolveBinary('ffprobe', config.FFPROBE_PATH, '@ffprobe-installer/ffprobe'),
  };
}
