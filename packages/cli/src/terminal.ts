import { pino, type Logger } from 'pino'
import type { Config } from './config.ts'

/** What the user reads: stdout for a command's answer, stderr for errors and notices. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`)
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`)
}

/**
 * The engine's structured logs go to stderr, so a command's answer on stdout (a job as JSON, a table)
 * can be piped without them. Written synchronously: a forced exit must not lose the last lines.
 */
export function cliLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ name: 'conveyor', level: config.logLevel }, pino.destination({ fd: 2, sync: true }))
}
