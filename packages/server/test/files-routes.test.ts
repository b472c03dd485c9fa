import { request as httpRequest } from 'node:http'
import { jobFilesResponseSchema, uploadResponseSchema } from '@conveyor/contracts'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { admin, bearer, type Headers, openApp, startTestServer, type TestApp } from './helpers.ts'

/** POST /api/files with a raw body. */
async function upload(t: TestApp, name: string, data: string | Buffer, headers: Headers = admin, type: string | null = 'text/plain', query = '') {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/files?name=${encodeURIComponent(name)}${query}`,
    headers: { ...headers, ...(type ? { 'content-type': type } : {}) },
    payload: data,
  })
  return { status: res.statusCode, body: res.json() }
}

/** POST /api/files on a listening server, chunked (no Content-Length): the caller writes the body. */
function streamedUpload(url: string, name: string) {
  const { port } = new URL(url)
  return httpRequest({
    host: '127.0.0.1',
    port: Number(port),
    method: 'POST',
    path: `/api/files?name=${encodeURIComponent(name)}`,
    headers: { ...admin, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
  })
}

/** How many uploads are stored (attached or not), and their bytes. */
async function stored(t: TestApp): Promise<{ files: number; bytes: number }> {
  const s = `"${t.conveyor.schema}"`
  const [row] = await t.conveyor.db.query<{ files: number; bytes: number }>(
    `SELECT (SELECT count(*)::int FROM ${s}.job_files) AS files, (SELECT coalesce(sum(length(data)), 0)::int FROM ${s}.job_file_chunks) AS bytes`,
  )
  return row!
}

describe('file routes', () => {
  it('uploads a raw body (201), attaches it at enqueue, lists it and downloads it with its type and name', async () => {
    const t = await openApp()
    const csv = 'id,url\n1,https://a\n'
    const up = await upload(t, 'links.csv', csv, admin, 'text/csv; charset=utf-8')
    expect(up.status).toBe(201)
    const file = uploadResponseSchema.parse(up.body).file
    expect(file).toMatchObject({ name: 'links.csv', size: Buffer.byteLength(csv), contentType: 'text/csv; charset=utf-8', kind: 'input' })
    const job = (await t.call('POST', '/api/jobs', admin, { type: 'scan', files: [file.id] })).body.job

    const list = jobFilesResponseSchema.parse((await t.call('GET', `/api/jobs/${job.id}/files`)).body).files
    expect(list).toEqual([expect.objectContaining({ id: file.id, name: 'links.csv', url: `/api/jobs/${job.id}/files/links.csv` })])

    const dl = await t.app.inject({ method: 'GET', url: list[0]!.url, headers: admin })
    expect(dl.statusCode).toBe(200)
    expect(dl.body).toBe(csv)
    expect(dl.headers).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'content-length': String(Buffer.byteLength(csv)),
      'content-disposition': 'attachment; filename="links.csv"; filename*=UTF-8\'\'links.csv',
      'x-content-type-options': 'nosniff',
    })
    expect(String(dl.headers['content-security-policy'])).toContain('sandbox')
    // A file is attached once: a second job cannot take it.
    const again = await t.call('POST', '/api/jobs', admin, { type: 'scan', files: [file.id] })
    expect(again.status).toBe(400)
    expect(again.body.error.details[0].path).toBe('files')
  })

  it('keeps any content type as it is (JSON too, unparsed), defaults to octet-stream, and names non-ASCII files exactly', async () => {
    const t = await openApp()
    const json = await upload(t, 'data.json', '{"not":"parsed"', admin, 'application/json')
    expect(json).toMatchObject({ status: 201, body: { file: { contentType: 'application/json', size: 15 } } })
    const bytes = Buffer.from([0, 255, 1, 254])
    const bin = await upload(t, 'résumé (1).bin', bytes, admin, null)
    expect(bin).toMatchObject({ status: 201, body: { file: { contentType: 'application/octet-stream', size: 4, name: 'résumé (1).bin' } } })
    const job = (await t.call('POST', '/api/jobs', admin, { type: 'x', files: [json.body.file.id, bin.body.file.id] })).body.job
    const dl = await t.app.inject({ method: 'GET', url: `/api/jobs/${job.id}/files/${encodeURIComponent('résumé (1).bin')}`, headers: admin })
    expect(dl.rawPayload.equals(bytes)).toBe(true)
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="r_sum_ (1).bin"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.bin`)
    expect((await t.call('GET', `/api/jobs/${job.id}/files/missing.txt`)).body.error.code).toBe('not_found')
    expect((await upload(t, '../etc/passwd', 'x')).status).toBe(400)
    expect((await upload(t, '', 'x')).status).toBe(400)
  })

  it("follows the job's access rules: a user token uploads for its owner, and another owner's files answer 404", async () => {
    const t = await openApp()
    const alice = await t.tokenFor('alice')
    const bob = await t.tokenFor('bob')
    const up = await upload(t, 'a.txt', 'alice only', alice)
    expect(up.status).toBe(201)
    expect((await upload(t, 'b.txt', 'x', alice, 'text/plain', '&owner=bob')).status).toBe(403)
    // Bob cannot attach Alice's upload; Alice can.
    expect((await t.call('POST', '/api/jobs', bob, { type: 'x', files: [up.body.file.id] })).status).toBe(400)
    const job = (await t.call('POST', '/api/jobs', alice, { type: 'x', files: [up.body.file.id] })).body.job
    expect(job.owner).toBe('alice')
    expect((await t.call('GET', `/api/jobs/${job.id}/files`, alice)).body.files).toHaveLength(1)
    for (const path of [`/api/jobs/${job.id}/files`, `/api/jobs/${job.id}/files/a.txt`]) {
      const res = await t.call('GET', path, bob)
      expect(res.status, path).toBe(404)
      expect(res.body.error.code).toBe('job_not_found')
    }
    // A worker key reads its job's inputs; a producer uploads for any owner.
    const worker = await t.keyFor('worker')
    expect((await t.app.inject({ method: 'GET', url: `/api/jobs/${job.id}/files/a.txt`, headers: worker })).body).toBe('alice only')
    const forBob = await upload(t, 'b.txt', 'for bob', await t.keyFor('producer'), 'text/plain', '&owner=bob')
    expect((await t.call('POST', '/api/jobs', bob, { type: 'x', files: [forBob.body.file.id] })).status).toBe(201)
  })

  it("answers a taken idempotency key with the earlier job (200, duplicate) and deletes the new uploads it named, never another owner's", async () => {
    const t = await openApp()
    const alice = await t.tokenFor('alice')
    const first = (await upload(t, 'a.txt', 'first', alice)).body.file
    const created = await t.call('POST', '/api/jobs', alice, { type: 'x', idempotencyKey: 'k1', files: [first.id] })
    expect(created.status).toBe(201)
    const earlier = { status: 200, body: { success: true, duplicate: true, job: { id: created.body.job.id } } }
    // The same call again (a client retrying): the earlier job, its file still attached.
    expect(await t.call('POST', '/api/jobs', alice, { type: 'x', idempotencyKey: 'k1', files: [first.id] })).toMatchObject(earlier)
    // A new upload named by a duplicate is not attached and not left behind: it is deleted.
    const second = (await upload(t, 'b.txt', 'second', alice)).body.file
    expect(await t.call('POST', '/api/jobs/enqueue', alice, { type: 'x', idempotencyKey: 'k1', files: [second.id] })).toMatchObject(earlier)
    const files = (await t.call('GET', `/api/jobs/${created.body.job.id}/files`, alice)).body.files
    expect(files.map((f: { name: string }) => f.name)).toEqual(['a.txt'])
    expect(await t.conveyor.files.get(second.id)).toBeNull()
    expect(await stored(t)).toEqual({ files: 1, bytes: 5 })
    // Another owner's upload named in alice's duplicate stays as it was, and bob can still use it.
    const bob = await t.tokenFor('bob')
    const bobs = (await upload(t, 'c.txt', 'bob', bob)).body.file
    expect(await t.call('POST', '/api/jobs', alice, { type: 'x', idempotencyKey: 'k1', files: [bobs.id] })).toMatchObject(earlier)
    expect((await t.call('POST', '/api/jobs', bob, { type: 'x', idempotencyKey: 'k1', files: [bobs.id] })).status).toBe(201)
  })

  it('refuses a declared size over maxFileBytes with 413 before reading it, storing nothing', async () => {
    const t = await openApp({ maxFileBytes: 1024 })
    const res = await upload(t, 'big.bin', Buffer.alloc(1025), admin, 'application/octet-stream')
    expect(res.status).toBe(413)
    expect(res.body.error).toMatchObject({ code: 'file_too_large', details: { limit: 1024 } })
    expect(await upload(t, 'fits.bin', Buffer.alloc(1024))).toMatchObject({ status: 201, body: { file: { size: 1024 } } })
    expect(await stored(t)).toEqual({ files: 1, bytes: 1024 })
  })

  it('answers 413 to a streamed upload as soon as it passes the limit, while the client is still sending, and keeps none of it', async () => {
    const limit = 64 * 1024
    const t = await startTestServer({ maxFileBytes: limit })
    // Limit + 1 bytes, then the request stays open.
    const req = streamedUpload(t.server.url, 'stream.bin')
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
    })
    req.write(Buffer.alloc(limit))
    req.write(Buffer.alloc(1))
    const res = await answered
    req.destroy()
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body).error.code).toBe('file_too_large')
    expect(await stored(t)).toEqual({ files: 0, bytes: 0 })
    // The server goes on serving.
    expect((await fetch(`${t.server.url}/api/jobs`, { headers: bearer('test-admin-key-0123456789') })).status).toBe(200)
  })

  it('an upload the client aborts mid-stream is logged as the client\'s doing (warn, not error) and leaves no partial file', async () => {
    const lines: { level: number; msg: string }[] = []
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    const t = await startTestServer({ logger: log })
    const req = streamedUpload(t.server.url, 'partial.bin')
    req.on('error', () => {}) // the client ends it
    // Past one stored chunk (1 MiB), so some of the file is in the database when the client goes away.
    req.write(Buffer.alloc(1024 * 1024 + 4096, 1))
    await until(async () => (await stored(t)).bytes > 0)
    req.destroy()
    await until(async () => lines.some((l) => l.msg.includes('aborted')))
    const aborted = lines.find((l) => l.msg.includes('aborted'))!
    expect(aborted.level).toBe(40) // warn
    expect(lines.filter((l) => l.level >= 50)).toEqual([])
    // Logged once what was stored of it is deleted.
    expect(await stored(t)).toEqual({ files: 0, bytes: 0 })
    // The server goes on serving.
    expect((await fetch(`${t.server.url}/api/jobs`, { headers: admin })).status).toBe(200)
  })
})

/** Checks `done` until it holds (at most 10 s): for what happens on the server after the client left. */
async function until(done: () => Promise<boolean>): Promise<void> {
  for (const start = Date.now(); !(await done()); ) {
    if (Date.now() - start > 10_000) throw new Error('the condition did not hold within 10 s')
    await new Promise((r) => setTimeout(r, 20))
  }
}
