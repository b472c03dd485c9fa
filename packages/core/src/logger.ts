import { pino, type Logger } from 'pino'

export type { Logger }

/** The default structured logger: JSON lines on stdout at `info`. Pass your own pino logger to change it. */
export function defaultLogger(level: string = 'info'): Logger {
  return pino({ name: 'conveyor', level })
}
