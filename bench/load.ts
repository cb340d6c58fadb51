// One load level, run as its own process so the load generator does not share an
// event loop with the stack (which holds the S3 emulator). Prints one JSON line.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

/** What bench/web-load.ts passes as the one argument (JSON). */
export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  bodyFile?: string;
  connections: number;
  seconds: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const latencies: number[] = [];
let finish: (result: autocannon.Result) => void = () => {};
const done = new Promise<autocannon.Result>((resolve) => (finish = resolve));
const instance = autocannon(
  {
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.bodyFile ? readFileSync(options.bodyFile) : undefined,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
  },
  (error, result) => {
    if (error) throw error;
    finish(result);
  },
);
instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
const result = await done;
latencies.sort((a, b) => a - b);
// 304 Not Modified is an answer, not an error: count socket errors, timeouts and 4xx/5xx.
const failed = Object.entries(result.statusCodeStats ?? {}).filter(([code]) => Number(code) >= 400).reduce((sum, [, s]) => sum + (s.count ?? 0), 0);
const errors = result.errors + result.timeouts + failed;
const mean = latencies.reduce((sum, ms) => sum + ms, 0) / Math.max(1, latencies.length);
const p95 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))] ?? 0;
console.log(JSON.stringify({ requests: result.requests.total, seconds: result.duration, errors, meanMs: mean, p95Ms: p95, statusCodes: result.statusCodeStats }));
