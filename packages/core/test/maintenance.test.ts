import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Cleaner, Conveyor, migrate, PgliteAdapter, TRANSITIONS, canTransition } from '../src/index.ts'
import { backend, logger, openConveyor } from './helpers.ts'

/** Moves a running job's lease into the past, as if its worker had stopped heartbeating long ago. */
async function expireLease(c: Conveyor, id: string) {
  await c.db.query(`UPDATE "${c.schema}".jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [id])
}

describe('the reaper', () => {
  it('returns a job whose lease expired to pending as a failed attempt, with backoff', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'x', maxAttempts: 3, backoff: { type: 'fixed', delayMs: 5000 } })
    await c.jobs.claim({ workerId: 'dead', limit: 1, leaseMs: 60_000 })
    expect(await c.reaper.runOnce()).toBe(0)
    await expireLease(c, job.id)
    expect(await c.reaper.runOnce()).toBe(1)
    const after = (await c.getJob(job.id))!
    expect(after).toMatchObject({ status: 'pending', attempts: 1, lastError: { name: 'LeaseExpiredError' }, leaseExpiresAt: null })
    expect(after.attemptLog?.[0]).toMatchObject({ outcome: 'lease_expired', workerId: 'dead' })
    expect(after.runAt.getTime()).toBeGreaterThan(after.updatedAt.getTime() + 4000)
  })

  it('fails the job when no attempts are left, and cancels it when a cancel was asked', async () => {
    const c = await openConveyor()
    const [last, cancelMe] = await c.enqueueMany([{ type: 'x', maxAttempts: 1 }, { type: 'x', maxAttempts: 5 }])
    await c.jobs.claim({ workerId: 'dead', limit: 2, leaseMs: 60_000 })
    await c.cancel(cancelMe!.id)
    await expireLease(c, last!.id)
    await expireLease(c, cancelMe!.id)
    expect(await c.reaper.runOnce()).toBe(2)
    expect((await c.getJob(last!.id))?.status).toBe('failed')
    expect((await c.getJob(cancelMe!.id))?.status).toBe('cancelled')
  })
})

describe('the cleaner', () => {
  it('deletes finished jobs past their retention and keeps the rest', async () => {
    const c = await openConveyor()
    const [old, fresh, oldFailed, pending] = await c.enqueueMany([{ type: 'x' }, { type: 'x' }, { type: 'x', maxAttempts: 1 }, { type: 'x' }])
    await c.jobs.claim({ workerId: 'w', limit: 3, leaseMs: 60_000 })
    await c.jobs.complete('w', [{ id: old!.id }, { id: fresh!.id }])
    await c.jobs.fail('w', [{ id: oldFailed!.id, error: { name: 'E', message: 'e' }, retryable: false }])
    await c.db.query(`UPDATE "${c.schema}".jobs SET completed_at = now() - interval '8 days' WHERE id = ANY($1)`, [[old!.id, oldFailed!.id]])
    expect(await c.cleaner.runOnce()).toBe(1) // completed: 7 days; failed: 30 days
    expect(await c.getJob(old!.id)).toBeNull()
    expect(await c.getJob(oldFailed!.id)).not.toBeNull()
    const strict = new Cleaner(c.jobs, logger, { retentionMs: { failed: 24 * 3600_000 } })
    expect(await strict.runOnce()).toBe(1)
    expect(await c.getJob(fresh!.id)).not.toBeNull()
    expect(await c.getJob(pending!.id)).not.toBeNull()
  })

  it('keeps a status for ever with Infinity, and refuses retentions PostgreSQL cannot hold', async () => {
    const c = await openConveyor()
    const [a] = await c.enqueueMany([{ type: 'x' }])
    await c.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 })
    await c.jobs.complete('w', [{ id: a!.id }])
    await c.db.query(`UPDATE "${c.schema}".jobs SET completed_at = now() - interval '3000 days' WHERE id = $1`, [a!.id])
    expect(await new Cleaner(c.jobs, logger, { retentionMs: { completed: Infinity } }).runOnce()).toBe(0)
    expect(await c.getJob(a!.id)).not.toBeNull()
    for (const bad of [-1, 1.5, Number.NaN, 1e15])
      expect(() => new Cleaner(c.jobs, logger, { retentionMs: { cancelled: bad } }), String(bad)).toThrow(expect.objectContaining({ code: 'config_error' }))
  })
})

describe('states', () => {
  it('the transition table allows exactly the documented moves', () => {
    expect(canTransition('cancel', 'pending')).toBe(true)
    expect(canTransition('cancel', 'running')).toBe(true)
    expect(canTransition('cancel', 'completed')).toBe(false)
    expect(canTransition('retry', 'pending')).toBe(false)
    expect(canTransition('retry', 'failed')).toBe(true)
    expect(canTransition('remove', 'running')).toBe(false)
    expect(TRANSITIONS.claim.from).toEqual(['pending'])
  })

  it('the database refuses rows that break the rules (CHECK constraints)', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'x' })
    const t = `"${c.schema}".jobs`
    await expect(c.db.query(`UPDATE ${t} SET status = 'completed' WHERE id = $1`, [job.id])).rejects.toThrow(/jobs_completed_at_iff_final|check/i)
    await expect(c.db.query(`UPDATE ${t} SET status = 'running' WHERE id = $1`, [job.id])).rejects.toThrow(/jobs_running_is_leased|check/i)
    await expect(c.db.query(`UPDATE ${t} SET progress = 101 WHERE id = $1`, [job.id])).rejects.toThrow(/check/i)
  })
})

describe('storage', () => {
  it('migrations are recorded and a second run applies nothing', async () => {
    const c = await openConveyor()
    expect(await migrate(c.db, c.schema)).toEqual([])
    const rows = await c.db.query<{ version: number }>(`SELECT version FROM "${c.schema}".migrations ORDER BY version`)
    expect(rows.map((r) => r.version)[0]).toBe(1)
  })

  it.skipIf(backend !== 'pglite')('an embedded data directory is locked: a second open is refused with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conveyor-lock-'))
    try {
      const a = await PgliteAdapter.open(dir)
      const err = await PgliteAdapter.open(dir).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'data_dir_locked', message: expect.stringContaining('DATABASE_URL') })
      await a.close()
      const b = await PgliteAdapter.open(dir) // released on close
      await b.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.skipIf(backend !== 'pglite')('keeps committed jobs across close and reopen of a data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conveyor-reopen-'))
    try {
      const a = await Conveyor.open({ dataDir: dir, logger, maintenance: false })
      const job = await a.enqueue({ type: 'keep' })
      await a.close()
      const b = await Conveyor.open({ dataDir: dir, logger, maintenance: false })
      expect((await b.getJob(job.id))?.type).toBe('keep')
      await b.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses bad options with a config_error saying how to fix them', async () => {
    await expect(Conveyor.open({ schema: 'Bad-Name', logger })).rejects.toMatchObject({ code: 'config_error', message: expect.stringContaining('schema') })
    await expect(Conveyor.open({ databaseUrl: 'mysql://x', logger })).rejects.toMatchObject({ code: 'config_error' })
  })
})
