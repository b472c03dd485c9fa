import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, expect } from 'vitest'
import { Conveyor, type ConveyorOptions, PgliteAdapter } from '../../src/index.ts'
import { DATABASE_URL, logger, testDbOptions, uniqueSchema } from '../helpers.ts'
import { killAllChildren } from './children.ts'

/**
 * A database that several processes can reach, one test at a time: on PostgreSQL a fresh schema of
 * DATABASE_URL (dropped after the file by helpers.ts); on PGlite a fresh data directory (removed after
 * the test), which one process at a time may open. `childConfig` is what a fixture needs to open it.
 */
export interface SharedStore {
  schema: string
  dataDir?: string
  childConfig: { databaseUrl?: string; dataDir?: string; schema: string }
  /** Opens a Conveyor on the store (closed after the test). Maintenance is off unless asked. */
  open(options?: Partial<ConveyorOptions>): Promise<Conveyor>
}

const opened: Conveyor[] = []
const dirs: string[] = []
let template: string | undefined

afterEach(async () => {
  await killAllChildren()
  const leaked = opened.flatMap((c) => c.workers)
  await Promise.all(opened.splice(0).map((c) => c.close()))
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  expect(leaked.length, 'a test left a worker running; stop it with await worker.stop()').toBe(0)
})

afterAll(() => {
  if (template) rmSync(template, { recursive: true, force: true })
})

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-process-'))
  dirs.push(dir)
  return dir
}

/**
 * A data directory for PGlite. `fresh: false` (the default) copies an initialised empty database made
 * once per file, as creating one takes seconds; `fresh: true` leaves the directory empty.
 */
export async function dataDir(options: { fresh?: boolean } = {}): Promise<string> {
  const dir = tempDir()
  if (options.fresh) return dir
  if (!template) {
    const t = mkdtempSync(join(tmpdir(), 'conveyor-template-'))
    await (await PgliteAdapter.open(t)).close()
    template = t
  }
  cpSync(join(template, 'pgdata'), join(dir, 'pgdata'), { recursive: true })
  return dir
}

export async function sharedStore(): Promise<SharedStore> {
  const schema = uniqueSchema()
  const dir = DATABASE_URL ? undefined : await dataDir()
  if (DATABASE_URL) testDbOptions(schema) // registers the schema to be dropped
  const where = DATABASE_URL ? { databaseUrl: DATABASE_URL } : { dataDir: dir! }
  return {
    schema,
    ...(dir ? { dataDir: dir } : {}),
    childConfig: { ...where, schema },
    async open(options = {}) {
      const c = await Conveyor.open({ ...where, schema, logger, maintenance: false, ...options })
      opened.push(c)
      return c
    },
  }
}

/** Closes one Conveyor opened by a store before the test ends (PGlite: to let a child open the directory). */
export async function closeConveyor(c: Conveyor): Promise<void> {
  await c.close()
  const i = opened.indexOf(c)
  if (i >= 0) opened.splice(i, 1)
}
