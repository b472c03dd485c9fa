import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach } from 'vitest'
import { Conveyor, defaultLogger, PgAdapter } from '@conveyor/core'

/**
 * The CLI tests run the real `conveyor` command (node + the bin, which registers tsx) as a child
 * process, against a temporary --data-dir or, when DATABASE_URL is set, against that PostgreSQL with
 * a --schema of its own that is dropped afterwards. Every child still alive after a test is SIGKILLed,
 * whether the test passed or not.
 */
export const DATABASE_URL = process.env.DATABASE_URL || undefined
const BIN = fileURLToPath(new URL('../bin/conveyor.mjs', import.meta.url))

/** The settings a child could inherit from the environment running the tests: each test passes its own. */
const SETTINGS_ENV = ['DATABASE_URL', 'CONVEYOR_DATA_DIR', 'CONVEYOR_SCHEMA', 'LOG_LEVEL', 'PORT', 'HOST']

const live = new Set<Cli>()
const dirs: string[] = []
const schemas: string[] = []

afterEach(async () => {
  const all = [...live]
  live.clear()
  await Promise.all(all.map((c) => c.kill()))
})

afterAll(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  if (DATABASE_URL && schemas.length > 0) {
    const db = new PgAdapter({ connectionString: DATABASE_URL, logger: defaultLogger('silent') })
    for (const s of schemas.splice(0)) await db.exec(`DROP SCHEMA IF EXISTS "${s}" CASCADE`)
    await db.close()
  }
})

/** A fresh temporary directory, removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-cli-'))
  dirs.push(dir)
  return dir
}

/** Flags naming a fresh, empty store: a temporary data dir, or a unique schema on DATABASE_URL. */
export function freshStore(): string[] {
  if (!DATABASE_URL) return ['--data-dir', join(tempDir(), 'data')]
  const schema = `cli_${randomBytes(6).toString('hex')}`
  schemas.push(schema)
  return ['--database-url', DATABASE_URL, '--schema', schema]
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** One running `conveyor` process and everything it printed so far. */
export class Cli {
  stdout = ''
  stderr = ''
  readonly exited: Promise<Exit>
  #exit: Exit | undefined
  #waiters = new Set<() => void>()

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s
      this.#wake()
    })
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s
      this.#wake()
    })
    // 'close', not 'exit': by then all of its output has been read.
    this.exited = new Promise((resolve) =>
      proc.on('close', (code, signal) => {
        this.#exit = { code, signal }
        live.delete(this)
        resolve(this.#exit)
        this.#wake()
      }),
    )
  }

  /** Resolves with the first match of `pattern` in stdout (or stderr); rejects, with the output, if the process exits first. */
  waitForOutput(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this[stream].match(pattern)
        if (m) {
          this.#waiters.delete(check)
          resolve(m)
        } else if (this.#exit) {
          this.#waiters.delete(check)
          reject(new Error(`conveyor exited (${JSON.stringify(this.#exit)}) before printing ${pattern}\n${this.describe()}`))
        }
      }
      this.#waiters.add(check)
      check()
    })
  }

  describe(): string {
    return `--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`
  }

  #wake() {
    for (const w of [...this.#waiters]) w()
  }

  /** SIGKILLs the process if it still runs and waits until it is gone. */
  async kill(): Promise<void> {
    if (!this.#exit) this.proc.kill('SIGKILL')
    await this.exited
  }
}

/** Starts `conveyor ...args` in a temporary working directory; `env` adds environment variables. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): Cli {
  const base = { ...process.env }
  for (const k of SETTINGS_ENV) delete base[k]
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: tempDir(),
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const cli = new Cli(proc)
  live.add(cli)
  return cli
}

/** Runs `conveyor ...args` to its end. */
export async function runCli(args: readonly string[], env?: Record<string, string>): Promise<Exit & { stdout: string; stderr: string }> {
  const cli = spawnCli(args, env)
  const exit = await cli.exited
  return { ...exit, stdout: cli.stdout, stderr: cli.stderr }
}

/** Runs a command that must succeed and returns its stdout. */
export async function ok(args: readonly string[]): Promise<string> {
  const r = await runCli(args)
  if (r.code !== 0) throw new Error(`conveyor ${args.join(' ')} exited ${r.code}\n${r.stderr}`)
  return r.stdout
}

/**
 * Opens the store that `flags` (from freshStore) name, in this process, without migrating or
 * maintenance. On the embedded database this also proves no other process still holds it.
 */
export async function openStore(flags: readonly string[]): Promise<Conveyor> {
  const value = (flag: string) => flags[flags.indexOf(flag) + 1]
  const where = flags.includes('--data-dir')
    ? { dataDir: value('--data-dir') }
    : { databaseUrl: value('--database-url'), schema: value('--schema') }
  return Conveyor.open({ ...where, migrate: false, maintenance: false, logger: defaultLogger('silent') })
}
