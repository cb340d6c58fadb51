// pino options shared by web and worker: secrets never reach the logs.
import type { LoggerOptions } from 'pino';
import type { Config } from './config.ts';

export function loggerOptions(config: Pick<Config, 'LOG_LEVEL'>): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.password1', '*.password2', '*.passwordHash', '*.token'],
      censor: '[redacted]',
    },
  };
}
