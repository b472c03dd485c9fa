import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { SEARCH_QUEUE } from './settings.ts'

export const PYTHON_WORKER = fileURLToPath(new URL('../../python-worker/worker.py', import.meta.url))

/** Whether `python3` can be run here. */
export function hasPython(): boolean {
  return spawnSync('python3', ['--version']).status === 0
}

export interface PythonWorker {
  child: ChildProcess
  /** Resolves when the process has exited, with its code and what it printed (when collected). */
  exited: Promise<{ code: number | null; output: string }>
  /** Asks it to stop (SIGTERM: running searches finish first), then waits for it. */
  stop(): Promise<unknown>
}

/**
 * Runs examples/python-worker/worker.py against the API: it claims `search` runs from the search
 * queue over HTTP, as the seed's separate scraping service does. `args` adds its flags
 * (e.g. `--once-idle`, `--concurrency 4`). Its log goes to this process's terminal, or is collected
 * for `exited` (tests).
 */
export function startPythonWorker(apiUrl: string, workerKey: string, args: string[] = [], log: 'inherit' | 'collect' = 'inherit'): PythonWorker {
  const child = spawn('python3', [PYTHON_WORKER, '--server', apiUrl, '--key', workerKey, '--queue', SEARCH_QUEUE, ...args], {
    stdio: ['ignore', log === 'inherit' ? 'inherit' : 'pipe', log === 'inherit' ? 'inherit' : 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, output })),
  )
  return {
    child,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}
