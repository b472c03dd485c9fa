import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createClient } from '@conveyor/client'
import { describe, expect, it } from 'vitest'
import { type Cli, freshStore, ok, runCli, spawnCli, tempDir } from './helpers.ts'

// Each `start` opens the store (PGlite takes seconds on a busy machine), so these are slow.
const SLOW = 240_000

/** Waits until a `start` serves, and reads the URL it printed (and the admin key, when it printed one). */
async function served(cli: Cli): Promise<{ url: string; key: string | undefined }> {
  await cli.waitForOutput(/Conveyor is running/)
  const url = cli.stdout.match(/http api\s+(http:\/\/127\.0\.0\.1:\d+)\/api/)?.[1]
  if (!url) throw new Error(`start printed no URL\n${cli.describe()}`)
  return { url, key: cli.stdout.match(/admin key\s+(cvk_\S+)/)?.[1] }
}

describe('conveyor start and conveyor server serve the HTTP API', () => {
  it(
    'start --port 0 serves /healthz and the API with the printed admin key, and prints the key only on the first start',
    async () => {
      const store = freshStore()
      const first = spawnCli(['start', '--port', '0', '--quiet', ...store])
      const { url, key } = await served(first)
      expect(url).not.toMatch(/:0$/)
      expect(key).toMatch(/^cvk_/)
      expect(first.stdout).toContain(`sign in     open ${url}/ and paste the admin key`)

      const health = await fetch(`${url}/healthz`)
      expect(health.status).toBe(200)
      expect((await fetch(`${url}/api/jobs`)).status).toBe(401)
      const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
      const created = await fetch(`${url}/api/jobs`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'nobody.handles.this' }) })
      expect(created.status).toBe(201)
      const { job } = (await created.json()) as { job: { id: string } }

      first.proc.kill('SIGTERM')
      expect(await first.exited).toEqual({ code: 0, signal: null })

      const second = spawnCli(['start', '--port', '0', '--quiet', ...store])
      const again = await served(second)
      expect(again.key).toBeUndefined()
      expect(second.stdout).not.toMatch(/cvk_/)
      expect(second.stdout).toMatch(/admin key\s+the one printed on the first start/)
      // The first key still works after the restart: only its hash was stored, and that was enough.
      const got = await fetch(`${again.url}/api/jobs/${job.id}`, { headers: auth })
      expect(got.status).toBe(200)
      expect(((await got.json()) as { job: { type: string } }).job.type).toBe('nobody.handles.this')

      second.proc.kill('SIGTERM')
      expect(await second.exited).toEqual({ code: 0, signal: null })
    },
    SLOW,
  )

  it(
    'server --port 0 serves the API with the printed admin key and runs no workers',
    async () => {
      const server = spawnCli(['server', '--port', '0', ...freshStore()])
      const { url, key } = await served(server)
      expect(server.stdout).toMatch(/workers\s+none in this process/)
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
      const workers = await fetch(`${url}/api/workers`, { headers: { authorization: `Bearer ${key}` } })
      expect(workers.status).toBe(200)
      expect(await workers.json()).toEqual({ workers: [] })
      server.proc.kill('SIGTERM')
      expect(await server.exited).toEqual({ code: 0, signal: null })
    },
    SLOW,
  )

  it(
    'worker --server joins a running start on an embedded data dir and completes jobs enqueued over HTTP',
    async () => {
      // The embedded database belongs to the start process: joining over HTTP is the only way in.
      const dataDir = join(tempDir(), 'data')
      const start = spawnCli(['start', '--port', '0', '--quiet', '--data-dir', dataDir])
      const { url, key } = await served(start)
      const workerKey = (await ok(['keys', 'create', '--role', 'worker', '--name', 'extra worker', '--server', url, '--key', key!])).trim()
      expect(workerKey).toMatch(/^cvk_/)

      const file = join(tempDir(), 'handlers.ts')
      writeFileSync(file, `export async function shout(job: { payload: { s: string } }) { return { shouted: job.payload.s.toUpperCase(), pid: process.pid } }\n`)
      const refused = await runCli(['worker', '--handlers', file, '--data-dir', dataDir])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/^error \(data_dir_locked\): /m)

      const unknownKey = await runCli(['worker', '--server', url, '--key', 'cvk_not-a-key', '--handlers', file])
      expect(unknownKey.code).toBe(1)
      expect(unknownKey.stderr).toMatch(/^error \(unauthorized\): unknown or revoked API key/m)

      const worker = spawnCli(['worker', '--server', url, '--key', workerKey, '--handlers', file])
      await worker.waitForOutput(new RegExp(`is taking jobs from ${url}`))

      const client = createClient({ baseUrl: url, key: key! })
      const { jobs } = await client.enqueueBatch([{ type: 'shout', payload: { s: 'ada' } }, { type: 'shout', payload: { s: 'grace' } }])
      const done = await Promise.all(jobs.map((j) => client.waitForJob(j.id)))
      // `start` runs only the demo handlers, so the worker process is the one that ran them.
      expect(done.map((j) => [j.status, j.result])).toEqual([
        ['completed', { shouted: 'ADA', pid: worker.proc.pid }],
        ['completed', { shouted: 'GRACE', pid: worker.proc.pid }],
      ])
      for (const j of jobs) await worker.waitForOutput(new RegExp(`shout  ${j.id}  completed`))

      worker.proc.kill('SIGTERM')
      expect(await worker.exited).toEqual({ code: 0, signal: null })
      expect(worker.stdout).toMatch(/Worker stopped\.\n$/)
      start.proc.kill('SIGTERM')
      expect(await start.exited).toEqual({ code: 0, signal: null })
    },
    SLOW,
  )
})
