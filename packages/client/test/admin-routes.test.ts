import { describe, expect, it } from 'vitest'
import { ConveyorHttpError } from '../src/index.ts'
import { startTestServer } from './helpers.ts'

describe('client: files, schedules, metrics, alerts, audit', () => {
  it('uploads a string, a Blob and a stream, attaches them at enqueue, lists and downloads them', async () => {
    const { admin } = await startTestServer()
    const text = (await admin.uploadFile('notes.txt', 'hello', { contentType: 'text/plain' })).file
    expect(text).toMatchObject({ name: 'notes.txt', size: 5, contentType: 'text/plain' })
    const blob = (await admin.uploadFile('data.json', new Blob(['{"a":1}'], { type: 'application/json' }))).file
    expect(blob.contentType).toBe('application/json')
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2]))
        c.enqueue(new Uint8Array([3]))
        c.close()
      },
    })
    const raw = (await admin.uploadFile('raw.bin', stream)).file
    expect(raw).toMatchObject({ size: 3, contentType: 'application/octet-stream' })

    const { job } = await admin.enqueue({ type: 'scan', files: [text.id, blob.id, raw.id] })
    const { files } = await admin.listJobFiles(job.id)
    expect(files.map((f) => f.name).sort()).toEqual(['data.json', 'notes.txt', 'raw.bin'])
    expect(await (await admin.downloadFile(job.id, 'notes.txt')).text()).toBe('hello')
    expect(new Uint8Array(await (await admin.downloadFile(job.id, 'raw.bin')).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]))
    const missing = await admin.downloadFile(job.id, 'nope.txt').catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ConveyorHttpError)
    expect(missing).toMatchObject({ status: 404, code: 'not_found' })
  })

  it('round-trips schedules: create, list, get, update, trigger, remove', async () => {
    const { admin } = await startTestServer()
    const { schedule } = await admin.createSchedule({ name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/London', type: 'report' })
    expect(schedule.nextRuns).toHaveLength(5)
    expect((await admin.listSchedules()).schedules.map((s) => s.id)).toEqual([schedule.id])
    expect((await admin.updateSchedule(schedule.id, { enabled: false })).schedule).toMatchObject({ enabled: false, nextRunAt: null })
    const { job } = await admin.triggerSchedule(schedule.id)
    expect(job).toMatchObject({ type: 'report', source: 'schedule' })
    expect((await admin.getSchedule(schedule.id)).schedule.recentRuns).toEqual([expect.objectContaining({ jobId: job.id, outcome: 'triggered' })])
    expect(await admin.removeSchedule(schedule.id)).toEqual({ deleted: schedule.id })
    await expect(admin.getSchedule(schedule.id)).rejects.toMatchObject({ status: 404, code: 'schedule_not_found' })
  })

  it('reads metrics and error groups and retries a group; round-trips alert rules; lists the audit log', async () => {
    const { admin } = await startTestServer()
    const { job } = await admin.enqueue({ type: 'scan', maxAttempts: 1 })
    await admin.claim({ workerId: 'w' })
    await admin.fail(job.id, { workerId: 'w', error: { message: 'timeout after 5 ms' } })
    expect((await admin.metricsSummary({ window: '24h' })).summary.window).toBe('24h')
    const { errors } = await admin.errorGroups({ window: '1h', limit: 5 })
    expect(errors).toEqual([expect.objectContaining({ shape: 'timeout after <n> ms', count: 1, link: '/jobs?status=failed&type=scan&q=timeout%20after' })])
    expect(await admin.retryErrorGroup({ name: errors[0]!.name, shape: errors[0]!.shape })).toEqual({ affected: 1 })

    const { rule } = await admin.createAlertRule({ name: 'deep', kind: 'queue_depth', threshold: 10 })
    expect((await admin.getAlertRule(rule.id)).rule.name).toBe('deep')
    expect((await admin.updateAlertRule(rule.id, { threshold: 20 })).rule.threshold).toBe(20)
    expect((await admin.listAlertRules()).rules).toHaveLength(1)
    await expect(admin.testAlertRule(rule.id)).rejects.toMatchObject({ status: 400, code: 'invalid_input' })
    expect((await admin.alertHistory({ limit: 5 })).events).toEqual([])
    expect(await admin.removeAlertRule(rule.id)).toEqual({ deleted: rule.id })

    const audit = await admin.listAudit({ limit: 3 })
    expect(audit.entries.map((e) => e.action)).toEqual(['alert.delete', 'alert.update', 'alert.create'])
    expect((await admin.listAudit({ before: audit.nextBefore!, action: 'job.enqueue' })).entries).toHaveLength(1)
  })
})
