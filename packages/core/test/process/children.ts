import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'

/**
 * Child processes for the process-level tests. A child is `node --import tsx fixtures/<name>.ts <json>`:
 * it opens its own Conveyor from the JSON argument (databaseUrl or dataDir, schema, …), speaks one JSON
 * object per line on stdout, and reads commands one per line on stdin. Its stderr (pino logs) is kept
 * to explain a failure and to look for log messages.
 *
 * Every child spawned here is SIGKILLed after each test, whether the test passed or not.
 */
export type Message = Record<string, unknown> & { event: string }

const live = new Set<Child>()

/** SIGKILLs every child still alive and waits until they are gone. */
export async function killAllChildren(): Promise<void> {
  const all = [...live]
  live.clear()
  await Promise.all(all.map((c) => c.kill()))
}

afterEach(killAllChildren)

export class Child {
  readonly messages: Message[] = []
  readonly stderr: string[] = []
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  #waiters = new Set<() => void>()
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined

  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        this.messages.push(JSON.parse(line) as Message)
      } catch {
        this.stderr.push(`(stdout) ${line}`)
      }
      this.#wake()
    })
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      this.stderr.push(line)
      this.#wake()
    })
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': by then every line the child wrote has been read.
      proc.on('close', (code, signal) => {
        this.#exit = { code, signal }
        resolve(this.#exit)
        this.#wake()
      })
    })
    // A child killed while we write to it must not crash the test with EPIPE.
    proc.stdin!.on('error', () => {})
  }

  get pid(): number {
    return this.proc.pid!
  }

  /** Writes one command line to the child's stdin. */
  send(line: string): void {
    this.proc.stdin!.write(line + '\n')
  }

  /** Messages seen so far with this event name. */
  all(event: string): Message[] {
    return this.messages.filter((m) => m.event === event)
  }

  /**
   * Resolves with the first message (already seen or yet to come) for which `match` holds; rejects,
   * with the child's stderr, if the child exits first.
   */
  waitFor(match: (m: Message) => boolean): Promise<Message> {
    return this.#until(() => this.messages.find(match))
  }

  /** Resolves once `count` messages with this event name were seen. */
  async waitForCount(event: string, count: number): Promise<Message[]> {
    await this.#until(() => (this.all(event).length >= count ? true : undefined))
    return this.all(event)
  }

  /** Resolves once a stderr (log) line contains `text`. */
  waitForLog(text: string): Promise<string> {
    return this.#until(() => this.stderr.find((l) => l.includes(text)))
  }

  #until<T>(check: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const test = () => {
        const found = check()
        if (found !== undefined) {
          this.#waiters.delete(test)
          resolve(found)
        } else if (this.#exit) {
          this.#waiters.delete(test)
          reject(new Error(`child ${this.pid} exited (${JSON.stringify(this.#exit)}) first; stderr:\n${this.stderr.slice(-30).join('\n')}`))
        }
      }
      this.#waiters.add(test)
      test()
    })
  }

  #wake() {
    for (const w of [...this.#waiters]) w()
  }

  /** SIGKILLs the child (a stopped one too) and waits for it to be gone. */
  async kill(): Promise<void> {
    if (!this.#exit) this.proc.kill('SIGKILL')
    await this.exited
    live.delete(this)
  }
}

/** Spawns `fixtures/<fixture>.ts` with `config` as its one argument. */
export function spawnChild(fixture: string, config: Record<string, unknown>): Child {
  const file = fileURLToPath(new URL(`./fixtures/${fixture}.ts`, import.meta.url))
  const proc = spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TEST_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' },
  })
  const child = new Child(proc)
  live.add(child)
  return child
}
