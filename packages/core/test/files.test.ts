import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { openConveyor, waitForStatus } from './helpers.ts'

describe('job files', () => {
  it('an uploaded input goes with the job; a handler attaches a result file; both are read back', async () => {
    const c = await openConveyor()
    const input = await c.files.upload({ name: 'people.csv', contentType: 'text/csv', data: 'name,age\nada,36\n', owner: 'u1' })
    expect(input).toMatchObject({ kind: 'input', jobId: null, size: 16 })
    const job = await c.enqueue({ type: 'analyse', owner: 'u1', files: [input.id] })
    const worker = c.work({
      analyse: async (j, ctx) => {
        const [file] = await c.files.list(j.id)
        const text = (await c.files.read(file!)).toString()
        await ctx.attach('summary.csv', `rows,${text.trim().split('\n').length - 1}\n`, 'text/csv')
        return { ok: true }
      },
    })
    await waitForStatus(c, job.id, ['completed'])
    await worker.stop()
    const files = await c.files.list(job.id)
    expect(files.map((f) => [f.kind, f.name, f.contentType])).toEqual([
      ['input', 'people.csv', 'text/csv'],
      ['output', 'summary.csv', 'text/csv'],
    ])
    expect((await c.files.read((await c.files.find(job.id, 'summary.csv'))!)).toString()).toBe('rows,1\n')
    await c.remove(job.id)
    expect(await c.files.get(input.id)).toBeNull() // deleted with its job
  })

  it('streams a multi-chunk file in and out unchanged', async () => {
    const c = await openConveyor()
    const bytes = Buffer.alloc(2.5 * 1024 * 1024)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) % 251
    const parts = [bytes.subarray(0, 1_000_000), bytes.subarray(1_000_000, 2_000_000), bytes.subarray(2_000_000)]
    const file = await c.files.upload({ name: 'big.bin', data: Readable.from(parts) })
    expect(file.size).toBe(bytes.length)
    expect((await c.files.read(file)).equals(bytes)).toBe(true)
  })

  it('an output replacing one of its name keeps the earlier file when it fails, and never replaces an input', async () => {
    const c = await openConveyor({ maxFileBytes: 1000 })
    const input = await c.files.upload({ name: 'data.csv', data: 'a,b\n', owner: 'u1' })
    const job = await c.enqueue({ type: 'report', owner: 'u1', files: [input.id] })
    const out = (data: string | Buffer, name = 'report.txt') => c.files.upload({ name, data, jobId: job.id, owner: 'u1', kind: 'output' })
    await out('first')
    await expect(out(Buffer.alloc(1001))).rejects.toMatchObject({ code: 'file_too_large' }) // a replacement too large…
    expect((await c.files.read((await c.files.find(job.id, 'report.txt'))!)).toString()).toBe('first') // …left the first
    await out('second')
    expect((await c.files.read((await c.files.find(job.id, 'report.txt'))!)).toString()).toBe('second')
    await expect(out('not the input', 'data.csv')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/input file named "data.csv"/) })
    expect((await c.files.read((await c.files.find(job.id, 'data.csv'))!)).toString()).toBe('a,b\n')
    expect((await c.files.list(job.id)).map((f) => `${f.kind}:${f.name}`).sort()).toEqual(['input:data.csv', 'output:report.txt'])
  })

  it('a file deleted while being read ends its stream with an error, not short', async () => {
    const c = await openConveyor()
    const file = await c.files.upload({ name: 'big.bin', data: Buffer.alloc(3 * 1024 * 1024, 7) })
    const stream = c.files.stream(file)
    const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve))
    stream.pause()
    await c.db.query(`DELETE FROM "${c.schema}".job_files WHERE id = $1`, [file.id])
    stream.resume()
    const failed = await new Promise<unknown>((resolve) => {
      stream.on('error', resolve)
      stream.on('end', () => resolve(null))
    })
    expect(first.length).toBeGreaterThan(0)
    expect(failed).toBeInstanceOf(Error)
    expect((failed as Error).message).toMatch(/deleted while being read/)
  })

  it('refuses a file over the limit and keeps nothing of it', async () => {
    const c = await openConveyor({ maxFileBytes: 1000 })
    await expect(c.files.upload({ name: 'x.bin', data: Buffer.alloc(1001) })).rejects.toMatchObject({ code: 'file_too_large' })
    const n = await c.db.query<{ n: number }>(`SELECT count(*) AS n FROM "${c.schema}".job_files`)
    expect(n[0]!.n).toBe(0)
  })

  it('refuses another owner’s upload, a used upload, and a bad file name; nothing is enqueued', async () => {
    const c = await openConveyor()
    const mine = await c.files.upload({ name: 'a.txt', data: 'a', owner: 'alice' })
    await expect(c.enqueue({ type: 'x', owner: 'bob', files: [mine.id] })).rejects.toMatchObject({ code: 'invalid_input' })
    await c.enqueue({ type: 'x', owner: 'alice', files: [mine.id] })
    await expect(c.enqueue({ type: 'x', owner: 'alice', files: [mine.id] })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(c.files.upload({ name: '../etc/passwd', data: 'x' })).rejects.toMatchObject({ code: 'invalid_input' })
    expect((await c.stats()).total).toBe(1)
  })

  it('a duplicate enqueue (idempotency key taken) answers the earlier job and deletes the uploads it named', async () => {
    const c = await openConveyor()
    const first = await c.files.upload({ name: 'a.txt', data: 'a', owner: 'alice' })
    const job = await c.enqueue({ type: 'x', owner: 'alice', idempotencyKey: 'k', files: [first.id] })
    const second = await c.files.upload({ name: 'b.txt', data: 'b', owner: 'alice' })
    const again = await c.submit({ type: 'x', owner: 'alice', idempotencyKey: 'k', files: [first.id, second.id] })
    expect(again).toMatchObject({ duplicate: true, job: { id: job.id, owner: 'alice', idempotencyKey: 'k' } })
    expect((await c.files.list(job.id)).map((f) => f.name)).toEqual(['a.txt'])
    expect(await c.files.get(second.id)).toBeNull()
    expect((await c.stats()).total).toBe(1)
  })

  it('the cleaner deletes uploads never attached to a job after a day', async () => {
    const c = await openConveyor()
    const old = await c.files.upload({ name: 'old.txt', data: 'x' })
    const fresh = await c.files.upload({ name: 'fresh.txt', data: 'y' })
    await c.db.query(`UPDATE "${c.schema}".job_files SET created_at = now() - interval '2 days' WHERE id = $1`, [old.id])
    await c.cleaner.runOnce()
    expect(await c.files.get(old.id)).toBeNull()
    expect(await c.files.get(fresh.id)).not.toBeNull()
  })
})
