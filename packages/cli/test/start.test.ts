import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_URL, freshStore, ok, openStore, runCli, spawnCli, tempDir } from './helpers.ts'

// Generous: PGlite takes seconds to open on a busy machine, and the demo jobs take a few seconds to run.
const SLOW = 240_000

describe('conveyor start', () => {
  it(
    'start --demo runs the demo jobs to completion, then stops cleanly on SIGTERM leaving nothing running',
    async () => {
      const store = freshStore()
      const cli = spawnCli(['start', '--port', '0', '--demo', ...store])
      await cli.waitForOutput(/Conveyor is running/)
      expect(cli.stdout).toMatch(/handlers\s+demo\.sleep, demo\.flaky \(built-in demo handlers\)/)
      const [, count, tally] = await cli.waitForOutput(/demo: all (\d+) demo jobs finished \((.*)\)/)
      expect(tally).toBe(`${count} completed`)

      cli.proc.kill('SIGTERM')
      expect(await cli.exited).toEqual({ code: 0, signal: null })
      expect(cli.stdout).toMatch(/Conveyor stopped\.\n$/)
      // It exited because nothing was left on its event loop, not through the CLI's last-resort exit.
      expect(cli.stderr).not.toMatch(/kept the process alive/)

      const conveyor = await openStore(store)
      try {
        expect(await conveyor.stats()).toMatchObject({ running: 0, completed: Number(count), total: Number(count) })
        expect(await conveyor.listWorkers()).toEqual([])
      } finally {
        await conveyor.close()
      }
    },
    SLOW,
  )

  it(
    'start --handlers runs a .ts module whose default export and named exports are handlers',
    async () => {
      const store = freshStore()
      const file = join(tempDir(), 'handlers.ts')
      writeFileSync(
        file,
        `interface Greeting { name: string }
export default { 'greet.hello': async (job: { payload: Greeting }) => ({ hello: job.payload.name }) }
export async function shout(job: { payload: Greeting }) { return { shouted: job.payload.name.toUpperCase() } }
export const notAHandler = 42
`,
      )
      const hello = JSON.parse(await ok(['enqueue', 'greet.hello', '--payload', '{"name": "ada"}', ...store])) as { id: string }
      const shout = JSON.parse(await ok(['enqueue', 'shout', '--payload', '{"name": "grace"}', ...store])) as { id: string }

      const cli = spawnCli(['start', '--port', '0', '--handlers', file, ...store])
      await cli.waitForOutput(new RegExp(`${hello.id}\\s+completed`))
      await cli.waitForOutput(new RegExp(`${shout.id}\\s+completed`))
      expect(cli.stdout).toMatch(/handlers\s+greet\.hello, shout \(/)
      cli.proc.kill('SIGTERM')
      expect(await cli.exited).toEqual({ code: 0, signal: null })

      const conveyor = await openStore(store)
      try {
        expect((await conveyor.getJob(hello.id))?.result).toEqual({ hello: 'ada' })
        expect((await conveyor.getJob(shout.id))?.result).toEqual({ shouted: 'GRACE' })
      } finally {
        await conveyor.close()
      }
    },
    SLOW,
  )

  it(
    'a second signal while running jobs finish exits at once with 128 + the signal number',
    async () => {
      const store = freshStore()
      // A job far longer than the 10 s grace period, so the first SIGTERM is still waiting for it.
      const job = JSON.parse(await ok(['enqueue', 'demo.sleep', '--payload', '{"steps": 600, "stepMs": 1000}', ...store])) as { id: string }
      const cli = spawnCli(['start', '--port', '0', ...store])
      await cli.waitForOutput(new RegExp(`${job.id}\\s+started`))
      cli.proc.kill('SIGTERM')
      await cli.waitForOutput(/stopping gracefully/, 'stderr')
      cli.proc.kill('SIGTERM')
      expect(await cli.exited).toEqual({ code: 143, signal: null })
      expect(cli.stderr).toMatch(/SIGTERM again: exiting now/)
    },
    SLOW,
  )

  it(
    'a second start, or an enqueue, on the same embedded data dir is refused with the data_dir_locked message',
    async () => {
      // The lock belongs to the embedded database, so this runs on a data dir even when DATABASE_URL is set.
      const dataDir = join(tempDir(), 'data')
      const first = spawnCli(['start', '--port', '0', '--data-dir', dataDir])
      await first.waitForOutput(/Conveyor is running/)

      const second = await runCli(['start', '--port', '0', '--data-dir', dataDir])
      expect(second.code).toBe(1)
      expect(second.stderr).toMatch(/^error \(data_dir_locked\): The data directory .* is in use by another Conveyor \(pid \d+/m)
      expect(second.stderr).toMatch(/use a PostgreSQL server \(DATABASE_URL\)/)

      const enqueue = await runCli(['enqueue', 'demo.sleep', '--data-dir', dataDir])
      expect(enqueue.code).toBe(1)
      expect(enqueue.stderr).toMatch(/^error \(data_dir_locked\): The data directory .* is in use by another Conveyor/m)

      first.proc.kill('SIGTERM')
      expect(await first.exited).toEqual({ code: 0, signal: null })
    },
    SLOW,
  )
})

describe.runIf(DATABASE_URL)('conveyor start on PostgreSQL', () => {
  it(
    'prints the server and database without the password',
    async () => {
      const url = new URL(DATABASE_URL!)
      url.password = 'sekret-password'
      const store = freshStore()
      store[store.indexOf('--database-url') + 1] = url.href
      const cli = spawnCli(['start', '--port', '0', ...store])
      // The password is wrong or unused (trust auth); either way it must not be printed.
      await cli.waitForOutput(/database\s+PostgreSQL /)
      cli.proc.kill('SIGTERM')
      await cli.exited
      expect(cli.stdout + cli.stderr).not.toContain('sekret-password')
      expect(cli.stdout).toMatch(new RegExp(`database\\s+PostgreSQL ${url.host}/${url.pathname.slice(1)}`))
    },
    SLOW,
  )
})
