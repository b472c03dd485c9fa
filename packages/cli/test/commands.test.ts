import { type AddressInfo, createServer } from 'node:net'
import { beforeAll, describe, expect, it } from 'vitest'
import { freshStore, ok, runCli } from './helpers.ts'

// Each command is its own process that opens the store, so these take seconds each on a shared machine.
const SLOW = 180_000

describe('conveyor migrate, enqueue and jobs', () => {
  let store: string[]
  beforeAll(() => {
    store = freshStore()
  })

  it(
    'migrate applies the migrations once, then enqueue prints the job and jobs get finds it',
    async () => {
      const first = await ok(['migrate', ...store])
      expect(first).toMatch(/^applied 0001_jobs$/m)
      expect(first).toMatch(/is now at version \d+/)
      expect(await ok(['migrate', ...store])).toMatch(/nothing to apply/)

      const enqueued = JSON.parse(
        await ok(['enqueue', 'demo.sleep', '--payload', '{"steps": 2}', '--priority', '7', '--max-attempts', '5', '--owner', 'ada', ...store]),
      ) as Record<string, unknown>
      expect(enqueued).toMatchObject({ type: 'demo.sleep', payload: { steps: 2 }, priority: 7, maxAttempts: 5, owner: 'ada', status: 'pending', source: 'cli' })

      const got = JSON.parse(await ok(['jobs', 'get', String(enqueued.id), ...store])) as Record<string, unknown>
      expect(got).toMatchObject({ id: enqueued.id, type: 'demo.sleep', status: 'pending', attemptLog: [] })
    },
    SLOW,
  )

  it(
    'jobs list shows a table filtered by status and type, and stats counts by status',
    async () => {
      const a = JSON.parse(await ok(['enqueue', 'list.a', ...store])) as { id: string }
      await ok(['enqueue', 'list.b', ...store])
      await ok(['jobs', 'cancel', a.id, ...store])

      const table = await ok(['jobs', 'list', '--status', 'cancelled', '--type', 'list.a', ...store])
      expect(table.split('\n')[0]).toMatch(/^ID\s+TYPE\s+QUEUE\s+STATUS/)
      expect(table).toContain(a.id)
      expect(table).not.toContain('list.b')

      const stats = JSON.parse(await ok(['stats', '--json', '--type', 'list.b', ...store])) as Record<string, number>
      expect(stats).toMatchObject({ pending: 1, cancelled: 0, total: 1 })
    },
    SLOW,
  )

  it(
    'jobs retry and cancel move a job and print it; a move the state does not allow exits 1 with its code',
    async () => {
      const job = JSON.parse(await ok(['enqueue', 'move.me', ...store])) as { id: string }
      expect(JSON.parse(await ok(['jobs', 'cancel', job.id, ...store]))).toMatchObject({ id: job.id, status: 'cancelled' })
      expect(JSON.parse(await ok(['jobs', 'retry', job.id, ...store]))).toMatchObject({ id: job.id, status: 'pending', attempts: 0 })

      const again = await runCli(['jobs', 'retry', job.id, ...store])
      expect(again.code).toBe(1)
      expect(again.stderr).toMatch(/^error \(invalid_transition\): /m)
    },
    SLOW,
  )

  it(
    'jobs get of an unknown id exits 1 with error (job_not_found)',
    async () => {
      const r = await runCli(['jobs', 'get', '00000000-0000-7000-8000-000000000000', ...store])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('error (job_not_found): no job with id 00000000-0000-7000-8000-000000000000')
    },
    SLOW,
  )
})

describe('bad usage', () => {
  // All of these are refused before the database is opened, so no store is needed.
  const cases: { args: string[]; env?: Record<string, string>; says: RegExp }[] = [
    { args: ['enqueue', 'x', '--payload', '{steps: 2}'], says: /--payload is not valid JSON .*--payload '\{"steps": 3\}'/ },
    { args: ['enqueue', 'x', '--priority', 'high'], says: /invalid --priority "high": expected a whole number/ },
    { args: ['enqueue'], says: /missing required argument 'type'/ },
    { args: ['enqueue', 'x', '--bogus'], says: /unknown option '--bogus'[\s\S]*--help/ },
    { args: ['start', '--port', 'abc'], says: /invalid setting --port "abc": expected a TCP port from 0 to 65535; pass --port or set PORT/ },
    { args: ['stats'], env: { LOG_LEVEL: 'loud' }, says: /invalid setting LOG_LEVEL="loud" \(from the environment\): expected one of fatal, error/ },
    { args: ['stats', '--schema', 'Bad-Name'], says: /invalid setting --schema "Bad-Name": expected a PostgreSQL schema name/ },
    { args: ['stats', '--database-url', 'mysql://x'], says: /invalid setting --database-url "mysql:\/\/x": expected a PostgreSQL URL/ },
    { args: ['start', '--concurrency', '0'], says: /invalid setting --concurrency "0": expected a whole number of jobs/ },
    { args: ['jobs', 'list', '--status', 'done'], says: /invalid --status "done": expected a comma-separated list of pending, running/ },
    { args: ['start', '--handlers', 'no-such-file.ts'], says: /--handlers no-such-file\.ts: no such file/ },
    { args: ['frobnicate'], says: /unknown command 'frobnicate'/ },
    { args: ['start'], env: { CONVEYOR_ADMIN_KEY: 'short' }, says: /invalid setting CONVEYOR_ADMIN_KEY \(from the environment\): expected an admin key of at least 16 characters/ },
    { args: ['worker', '--server', 'localhost:3000'], says: /invalid setting --server "localhost:3000": expected the URL of a running Conveyor server/ },
    { args: ['worker', '--server', 'http://127.0.0.1:9'], says: /--server http:\/\/127\.0\.0\.1:9 needs an API key: pass --key KEY \(or set CONVEYOR_KEY\)/ },
    { args: ['worker', '--key', 'cvk_x'], says: /--key is the key for --server URL/ },
    { args: ['keys', 'create'], says: /missing --role: pass one of admin, producer, worker, viewer/ },
    { args: ['keys', 'create', '--role', 'boss'], says: /invalid --role "boss": expected one of admin, producer, worker, viewer/ },
    { args: ['schedules', 'add', '--name', 'n', '--type', 't'], says: /required option '--cron <expr>' not specified/ },
    { args: ['schedules', 'add', '--name', 'n', '--type', 't', '--cron', 'nope'], says: /invalid --cron: "nope" has 1 fields; give 5/ },
    { args: ['schedules', 'add', '--name', 'n', '--type', 't', '--cron', '0 9 * * *', '--timezone', 'Mars/Base'], says: /invalid --timezone: "Mars\/Base" is not an IANA time zone/ },
    { args: ['schedules', 'add', '--name', 'n', '--type', 't', '--cron', '0 9 * * *', '--catch-up', 'all'], says: /'--catch-up <mode>' argument 'all' is invalid. Allowed choices are none, latest/ },
  ]

  for (const c of cases) {
    it(`conveyor ${c.args.join(' ')}${c.env ? ` with ${JSON.stringify(c.env)}` : ''} exits 2 and says how to fix it`, async () => {
      const r = await runCli(c.args, c.env)
      expect(r.stderr).toMatch(c.says)
      expect(r.code).toBe(2)
    })
  }

  it('--help of every command describes it and exits 0', async () => {
    const commands = [
      [], ['start'], ['server'], ['worker'], ['migrate'], ['enqueue'], ['jobs'], ['jobs', 'list'], ['jobs', 'get'], ['jobs', 'retry'], ['jobs', 'cancel'], ['stats'],
      ['schedules'], ['schedules', 'list'], ['schedules', 'add'], ['schedules', 'trigger'], ['schedules', 'enable'], ['schedules', 'disable'], ['schedules', 'remove'],
      ['keys'], ['keys', 'create'], ['keys', 'list'], ['keys', 'revoke'],
    ]
    for (const args of commands) {
      const r = await runCli([...args, '--help'])
      expect(r.code, args.join(' ')).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`^Usage: conveyor ${args.join(' ')}`))
    }
  }, SLOW)

  it('worker --server at a port where nothing listens exits 1 with error (server_unreachable)', async () => {
    // A port that was free a moment ago: bound, then released.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    const r = await runCli(['worker', '--server', `http://127.0.0.1:${port}`, '--key', 'cvk_whatever'])
    expect(r.stderr).toMatch(new RegExp(`^error \\(server_unreachable\\): could not reach the Conveyor server at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`, 'm'))
    expect(r.code).toBe(1)
  })
})
