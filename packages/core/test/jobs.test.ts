import { describe, expect, it } from 'vitest'
import { ConveyorError } from '../src/index.ts'
import { openConveyor } from './helpers.ts'

describe('enqueue and read', () => {
  it('enqueues a job with defaults and reads it back with an empty attempt log', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'scan', payload: { url: 'https://example.com' }, owner: 'u1' })
    expect(job).toMatchObject({ type: 'scan', queue: 'default', status: 'pending', attempts: 0, maxAttempts: 3, owner: 'u1', source: 'api', progress: 0 })
    const read = await c.getJob(job.id)
    expect(read?.payload).toEqual({ url: 'https://example.com' })
    expect(read?.attemptLog).toEqual([])
  })

  it('refuses bad input with invalid_input naming the field, and writes nothing', async () => {
    const c = await openConveyor()
    for (const bad of [{ type: '' }, { type: 'x', priority: 1.5 }, { type: 'x', maxAttempts: 0 }, { type: 'x', bogus: 1 }, { type: 'x', runAt: 'soon' }]) {
      const err = await c.enqueue(bad as never).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ConveyorError)
      expect((err as ConveyorError).code).toBe('invalid_input')
    }
    await expect(c.enqueueMany([{ type: 'ok' }, { type: '' }])).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('index 1') })
    expect((await c.stats()).total).toBe(0)
  })

  it('getJob of an unknown or malformed id is null', async () => {
    const c = await openConveyor()
    expect(await c.getJob('00000000-0000-7000-8000-000000000000')).toBeNull()
    expect(await c.getJob('not-a-uuid')).toBeNull()
  })
})
