import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, expect } from 'vitest'
import { Conveyor, type ConveyorOptions, type Db, PgAdapter, PgliteAdapter, MEMORY, defaultLogger } from '../src/index.ts'

/**
 * Test isolation: every test gets its own schema. On PGlite (the default) the schemas live in one
 * in-memory database per test file (starting PGlite takes seconds); with DATABASE_URL set they live
 * in that PostgreSQL database and are dropped afterwards.
 */
export const DATABASE_URL = process.env.DATABASE_URL || undefined
export const backend: 'postgres' | 'pglite' = DATABASE_URL ? 'postgres' : 'pglite'
export const logger = defaultLogger(process.env.TEST_LOG_LEVEL ?? 'silent')

let sharedPglite: Promise<PgliteAdapter> | undefined
const opened: Conveyor[] = []
const schemas: string[] = []

export function uniqueSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`
}

/** Options naming the test database for a schema of its own (used by child processes too). */
export function testDbOptions(schema = uniqueSchema()): ConveyorOptions {
  schemas.push(schema)
  return DATABASE_URL ? { databaseUrl: DATABASE_URL, schema } : { schema }
}

/** Opens a Conveyor on a fresh schema. Maintenance is off unless asked: tests call runOnce(). */
export async function openConveyor(options: Partial<ConveyorOptions> = {}): Promise<Conveyor> {
  const base = testDbOptions(options.schema)
  const db: Db | undefined = DATABASE_URL ? undefined : await (sharedPglite ??= PgliteAdapter.open(MEMORY))
  const conveyor = await Conveyor.open({ maintenance: false, logger, ...base, ...(db ? { db } : {}), ...options })
  opened.push(conveyor)
  return conveyor
}

afterEach(async () => {
  // A test that leaves a worker running fails: its worker would keep claiming into the next test.
  const leaked = opened.flatMap((c) => c.workers)
  const instances = opened.splice(0)
  await Promise.all(instances.map((c) => c.close()))
  expect(leaked.length, 'a test left a worker running; stop it with await worker.stop()').toBe(0)
})

afterAll(async () => {
  if (sharedPglite) await (await sharedPglite).close()
  if (DATABASE_URL && schemas.length > 0) {
    const db = new PgAdapter({ connectionString: DATABASE_URL, logger })
    for (const s of schemas.splice(0)) await db.exec(`DROP SCHEMA IF EXISTS "${s}" CASCADE`)
    await db.close()
  }
})

/** Resolves when `predicate` holds for an event of this conveyor (subscribe first, then act). */
export async function nextEvent(
  conveyor: Conveyor,
  predicate: (e: import('../src/index.ts').JobEvent) => boolean,
): Promise<{ promise: Promise<import('../src/index.ts').JobEvent> }> {
  let resolve!: (e: import('../src/index.ts').JobEvent) => void
  const promise = new Promise<import('../src/index.ts').JobEvent>((r) => (resolve = r))
  const off = await conveyor.subscribe((e) => {
    if (predicate(e)) {
      off()
      resolve(e)
    }
  })
  return { promise }
}

/** Waits until the job reaches one of `statuses`, by its events (no sleeping), and returns it. */
export async function waitForStatus(conveyor: Conveyor, id: string, statuses: string[]) {
  const { promise } = await nextEvent(conveyor, (e) => e.id === id && statuses.includes(e.status))
  const now = await conveyor.getJob(id)
  if (now && statuses.includes(now.status)) return now
  await promise
  return (await conveyor.getJob(id))!
}

/** A promise with its resolve function, for handlers that a test releases. */
export function gate<T = void>() {
  let open!: (v: T) => void
  const promise = new Promise<T>((r) => (open = r))
  return { promise, open }
}
