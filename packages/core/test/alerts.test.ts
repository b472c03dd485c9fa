import type { LookupAddress } from 'node:dns'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { AlertEvaluator, postWebhook, type Resolve } from '../src/index.ts'
import { logger, openConveyor, waitForStatus } from './helpers.ts'

/** A real HTTP server on a free port that records the webhook bodies it receives. */
async function webhookSink() {
  const bodies: Record<string, unknown>[] = []
  const server: Server = createServer((req, res) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => {
      bodies.push(JSON.parse(data) as Record<string, unknown>)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  sinks.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies }
}
const sinks: Server[] = []
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => new Promise((r) => s.close(r))))
})

describe('alerts', () => {
  it('one incident is one message: firing once, then resolved once', async () => {
    const c = await openConveyor()
    const hook = await webhookSink()
    await c.alerts.create({ name: 'deep queue', kind: 'queue_depth', queue: 'default', threshold: 2, webhookUrl: hook.url, cooldownMs: 0 })
    const jobs = await c.enqueueMany([{ type: 'x' }, { type: 'x' }, { type: 'x' }])
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'deep queue', state: 'firing' }])
    expect(await c.alertEvaluator.runOnce()).toEqual([]) // still firing: no second message
    await c.cancel(jobs[0]!.id)
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'deep queue', state: 'resolved' }])
    expect(hook.bodies.map((b) => [b.alert, b.state])).toEqual([
      ['deep queue', 'firing'],
      ['deep queue', 'resolved'],
    ])
    expect(hook.bodies[0]!.message).toContain('3 jobs ready')
    const history = await c.alerts.history()
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({ state: 'resolved', ruleName: 'deep queue' })
    expect(history[0]!.deliveredAt).toBeInstanceOf(Date)
  })

  it('disabling a firing rule resolves its incident at the next pass and tells the receiver, once', async () => {
    const c = await openConveyor()
    const hook = await webhookSink()
    const rule = await c.alerts.create({ name: 'deep', kind: 'queue_depth', queue: 'default', threshold: 0, webhookUrl: hook.url })
    await c.enqueue({ type: 'x' })
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'deep', state: 'firing' }])
    await c.alerts.update(rule.id, { enabled: false })
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'deep', state: 'resolved' }])
    expect(await c.alertEvaluator.runOnce()).toEqual([]) // the job is still there: a disabled rule never fires
    expect(hook.bodies.map((b) => [b.state, b.value])).toEqual([
      ['firing', 1],
      ['resolved', null],
    ])
    expect(hook.bodies[1]!.message).toBe('resolved: deep (the rule was disabled)')
    const [incident] = await c.alerts.history()
    expect(incident).toMatchObject({ state: 'resolved', ruleName: 'deep' })
  })

  it('sends a test message in the rule\'s format, recorded nowhere, and says when the webhook refused it', async () => {
    const c = await openConveyor()
    const hook = await webhookSink()
    const json = await c.alerts.create({ name: 'json rule', kind: 'queue_depth', webhookUrl: hook.url })
    const slack = await c.alerts.create({ name: 'slack rule', kind: 'no_worker', webhookUrl: hook.url, format: 'slack' })
    expect(await c.alertEvaluator.sendTest(json)).toEqual({ delivered: true, error: null })
    expect(await c.alertEvaluator.sendTest(slack)).toEqual({ delivered: true, error: null })
    expect(hook.bodies[0]).toMatchObject({ alert: 'json rule', state: 'test', kind: 'queue_depth' })
    expect(hook.bodies[1]).toEqual({ text: expect.stringMatching(/^🧪 TEST slack rule: /) })
    expect(await c.alerts.history()).toEqual([])
    const bare = await c.alerts.create({ name: 'no hook', kind: 'queue_depth' })
    expect(await c.alertEvaluator.sendTest(bare)).toEqual({ delivered: false, error: 'the rule has no webhookUrl' })
    const closed = await webhookSink()
    await new Promise((r) => sinks.pop()!.close(r)) // nothing listens there any more
    const gone = await c.alerts.update(json.id, { webhookUrl: closed.url })
    expect(await c.alertEvaluator.sendTest(gone)).toMatchObject({ delivered: false, error: expect.any(String) })
  })

  it('a rule that fires again within its cooldown reopens the incident and says it fires again, with what it says now', async () => {
    const c = await openConveyor()
    const hook = await webhookSink()
    await c.alerts.create({ name: 'flappy', kind: 'queue_depth', threshold: 0, webhookUrl: hook.url, cooldownMs: 3600_000 })
    const job = await c.enqueue({ type: 'x' })
    await c.alertEvaluator.runOnce()
    await c.cancel(job.id)
    await c.alertEvaluator.runOnce()
    await c.enqueueMany([{ type: 'x' }, { type: 'x' }])
    // The receiver was told "resolved": it must hear that the rule fires again (one incident still).
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'flappy', state: 'firing' }])
    expect(hook.bodies.map((b) => b.state)).toEqual(['firing', 'resolved', 'firing'])
    expect(hook.bodies[2]!.message).toContain('2 jobs ready')
    const history = await c.alerts.history()
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({ state: 'firing', message: expect.stringContaining('2 jobs ready') })
    expect(await c.alertEvaluator.runOnce()).toEqual([]) // and once only
  })

  it('a message the webhook refused is sent again at the next pass', async () => {
    const c = await openConveyor()
    let refuse = true
    const bodies: Record<string, unknown>[] = []
    const server: Server = createServer((req, res) => {
      let data = ''
      req.on('data', (chunk) => (data += chunk))
      req.on('end', () => {
        if (refuse) return void res.writeHead(503).end()
        bodies.push(JSON.parse(data) as Record<string, unknown>)
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    sinks.push(server)
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    await c.alerts.create({ name: 'deep', kind: 'queue_depth', threshold: 0, webhookUrl: url, cooldownMs: 0 })
    await c.enqueue({ type: 'x' })
    await c.alertEvaluator.runOnce() // firing, refused
    expect((await c.alerts.history())[0]?.deliveryError).toMatch(/503/)
    refuse = false
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'deep', state: 'firing' }])
    expect(bodies.map((b) => b.state)).toEqual(['firing'])
    expect((await c.alerts.history())[0]).toMatchObject({ deliveryError: null, deliveredAt: expect.any(Date) })
    expect(await c.alertEvaluator.runOnce()).toEqual([]) // delivered: not again
  })

  it('failure rate above the threshold fires, with a Slack-compatible body', async () => {
    const c = await openConveyor()
    const hook = await webhookSink()
    await c.alerts.create({ name: 'failing', kind: 'failure_rate', threshold: 0.5, windowMs: 300_000, webhookUrl: hook.url, format: 'slack' })
    const jobs = await c.enqueueMany([{ type: 'ok' }, { type: 'bad', maxAttempts: 1 }, { type: 'bad', maxAttempts: 1 }])
    const worker = c.work({ ok: async () => 1, bad: async () => { throw new Error('nope') } })
    for (const j of jobs) await waitForStatus(c, j.id, ['completed', 'failed'])
    await worker.stop()
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'failing', state: 'firing' }])
    expect(hook.bodies[0]).toEqual({ text: expect.stringContaining('failure rate 66.7%') })
  })

  it('no_worker fires for a queue with ready jobs and no live worker, and clears when one starts', async () => {
    const c = await openConveyor()
    await c.alerts.create({ name: 'orphans', kind: 'no_worker' })
    await c.enqueue({ type: 'x', queue: 'lonely', delayMs: 0 })
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'orphans', state: 'firing' }])
    const worker = c.work({ y: async () => 1 }, { queues: ['lonely'] })
    await worker.ready()
    expect(await c.alertEvaluator.runOnce()).toEqual([{ rule: 'orphans', state: 'resolved' }])
    await worker.stop()
  })

  it('oldest pending age, a job running too long and a missed schedule tick each fire once and resolve', async () => {
    const c = await openConveyor()
    const hook = await webhookSink()
    const T = `"${c.schema}"`
    await c.alerts.create({ name: 'old', kind: 'oldest_pending_age', threshold: 60_000, webhookUrl: hook.url, cooldownMs: 0 })
    await c.alerts.create({ name: 'long', kind: 'job_running_longer', threshold: 60_000, webhookUrl: hook.url, cooldownMs: 0 })
    await c.alerts.create({ name: 'missed', kind: 'schedule_missed', webhookUrl: hook.url, cooldownMs: 0 })
    const [waiting, runner] = await c.enqueueMany([{ type: 'x', queue: 'q1' }, { type: 'y', queue: 'q2' }])
    await c.jobs.claim({ workerId: 'w', queues: ['q2'], limit: 1, leaseMs: 600_000 })
    const schedule = await c.schedules.create({ name: 'hourly', cron: '0 * * * *', type: 'tick' })
    expect(await c.alertEvaluator.runOnce()).toEqual([])
    // Ten minutes pass: the pending job has waited, the running one has run, a tick came and went unrun.
    await c.db.query(`UPDATE ${T}.jobs SET run_at = now() - interval '10 minutes' WHERE id = $1`, [waiting!.id])
    await c.db.query(`UPDATE ${T}.jobs SET started_at = now() - interval '10 minutes' WHERE id = $1`, [runner!.id])
    await c.db.query(`UPDATE ${T}.schedules SET created_at = now() - interval '3 hours' WHERE id = $1`, [schedule.id])
    const fired = await c.alertEvaluator.runOnce()
    expect(fired.map((f) => `${f.rule}:${f.state}`).sort()).toEqual(['long:firing', 'missed:firing', 'old:firing'])
    expect(await c.alertEvaluator.runOnce()).toEqual([])
    // Each clears: the job is cancelled, the running one completes, the missed tick is run.
    await c.cancel(waiting!.id)
    await c.jobs.complete('w', [{ id: runner!.id }])
    await c.scheduler.runOnce() // catchUp none: the missed tick is passed over and the schedule is current
    const resolved = await c.alertEvaluator.runOnce()
    expect(resolved.map((f) => `${f.rule}:${f.state}`).sort()).toEqual(['long:resolved', 'missed:resolved', 'old:resolved'])
    expect(hook.bodies).toHaveLength(6)
  })

  it('never calls a webhook at a link-local address, judged after name resolution; loopback is called', async () => {
    const c = await openConveyor()
    const hook = await webhookSink()
    const { port } = new URL(hook.url)
    const asked: string[] = []
    const addresses: Record<string, LookupAddress[]> = {
      'metadata.test': [{ address: '169.254.169.254', family: 4 }],
      'mixed.test': [{ address: '127.0.0.1', family: 4 }, { address: 'fe80::1', family: 6 }],
      'hooks.test': [{ address: '127.0.0.1', family: 4 }],
    }
    const resolve: Resolve = async (hostname) => (asked.push(hostname), addresses[hostname] ?? [])
    const evaluator = new AlertEvaluator(c.db, c.alerts, c.schedules, logger, (url, body) => postWebhook(url, body, { timeoutMs: 5000, resolve }))
    const rule = await c.alerts.create({ name: 'meta', kind: 'queue_depth', webhookUrl: `http://metadata.test:${port}/hook` })
    expect(await evaluator.sendTest(rule)).toEqual({
      delivered: false,
      error: expect.stringMatching(/^refused metadata\.test \(169\.254\.169\.254\): a link-local address; webhooks may not call/),
    })
    // One refused address refuses the name: the connection could take any of them.
    const mixed = await c.alerts.update(rule.id, { webhookUrl: `http://mixed.test:${port}/hook` })
    expect(await evaluator.sendTest(mixed)).toMatchObject({ delivered: false, error: expect.stringContaining('(fe80::1): a link-local address') })
    expect(hook.bodies).toEqual([])
    const local = await c.alerts.update(rule.id, { webhookUrl: `http://hooks.test:${port}/hook` })
    expect(await evaluator.sendTest(local)).toEqual({ delivered: true, error: null })
    expect(hook.bodies).toHaveLength(1)
    expect(asked).toEqual(['metadata.test', 'mixed.test', 'hooks.test'])
    // A stored rule from before the check: the literal address is refused before connecting.
    await expect(postWebhook('http://169.254.169.254/latest/meta-data/', {}, { timeoutMs: 5000 })).rejects.toThrow(/a link-local address/)
    await c.db.query(`UPDATE "${c.schema}".alert_rules SET webhook_url = 'http://[fe80::1]:9/' WHERE id = $1`, [rule.id])
    expect(await c.alertEvaluator.sendTest((await c.alerts.get(rule.id))!)).toMatchObject({ delivered: false, error: expect.stringContaining('link-local') })
  })

  it('records a delivery failure instead of throwing', async () => {
    const c = await openConveyor()
    const hook = await webhookSink()
    const dead = hook.url.replace(/:\d+\//, ':1/')
    await c.alerts.create({ name: 'unreachable', kind: 'queue_depth', threshold: 0, webhookUrl: dead })
    await c.enqueue({ type: 'x' })
    await c.alertEvaluator.runOnce()
    expect((await c.alerts.history())[0]).toMatchObject({ deliveredAt: null, deliveryError: expect.any(String) })
  })

  it('validates rules and keeps names unique', async () => {
    const c = await openConveyor()
    await expect(c.alerts.create({ name: 'x', kind: 'nope' as never })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(c.alerts.create({ name: 'x', kind: 'queue_depth', webhookUrl: 'ftp://x' })).rejects.toMatchObject({ code: 'invalid_input' })
    const rule = await c.alerts.create({ name: 'x', kind: 'queue_depth' })
    await expect(c.alerts.create({ name: 'x', kind: 'queue_depth' })).rejects.toMatchObject({ code: 'already_exists' })
    expect((await c.alerts.update(rule.id, { threshold: 10 })).threshold).toBe(10)
    // A failure rate is a fraction: judged on the rule as changed (here the stored threshold of 10).
    const asFraction = { code: 'invalid_input', details: [expect.objectContaining({ path: 'threshold' })] }
    await expect(c.alerts.create({ name: 'rate', kind: 'failure_rate', threshold: 1.01 })).rejects.toMatchObject(asFraction)
    await expect(c.alerts.update(rule.id, { kind: 'failure_rate' })).rejects.toMatchObject(asFraction)
    expect(await c.alerts.update(rule.id, { kind: 'failure_rate', threshold: 0.5 })).toMatchObject({ kind: 'failure_rate', threshold: 0.5, windowMs: 300_000 })
    await c.alerts.remove(rule.id)
    await expect(c.alerts.remove(rule.id)).rejects.toMatchObject({ code: 'alert_rule_not_found' })
  })
})

describe('audit log', () => {
  it('records and lists who did what, newest first', async () => {
    const c = await openConveyor()
    await c.audit.record({ actor: 'ops-key', actorKind: 'key', action: 'job.cancel', target: 'j1' })
    await c.audit.record({ actor: 'user-7', actorKind: 'token', action: 'job.enqueue', target: 'j2', details: { type: 'scan' } })
    const all = await c.audit.list()
    expect(all.map((e) => e.action)).toEqual(['job.enqueue', 'job.cancel'])
    expect(all[0]).toMatchObject({ actor: 'user-7', actorKind: 'token', details: { type: 'scan' } })
    expect((await c.audit.list({ action: 'job.cancel' })).map((e) => e.target)).toEqual(['j1'])
    expect((await c.audit.list({ before: all[0]!.id })).map((e) => e.target)).toEqual(['j1'])
  })

  it('writes concurrent entries together, and a bad entry loses no other', async () => {
    const c = await openConveyor()
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => c.audit.record({ actor: 'k', actorKind: 'key', action: 'job.enqueue', target: `j${i}` })),
      c.audit.record({ actor: '', actorKind: 'key', action: 'job.enqueue' }), // refused by the table's CHECK
    ])
    expect(results.map((r) => r.status)).toEqual([...Array(20).fill('fulfilled'), 'rejected'])
    const listed = await c.audit.list({ limit: 50 })
    expect(listed.map((e) => e.target).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `j${i}`).sort())
    expect(listed.map((e) => e.target)).toEqual(Array.from({ length: 20 }, (_, i) => `j${19 - i}`)) // newest first
  })
})
