import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { alertHistoryResponseSchema, alertRuleResponseSchema } from '@conveyor/contracts'
import { afterEach, describe, expect, it } from 'vitest'
import { openApp } from './helpers.ts'

const sinks: Server[] = []
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => new Promise((r) => s.close(r))))
})

/** A local webhook receiver answering `status`, recording each body it gets. */
async function webhook(status = 204) {
  const bodies: unknown[] = []
  const server = createServer((req, res) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => {
      bodies.push(JSON.parse(data))
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  sinks.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies }
}

describe('alert routes', () => {
  it('creates (201, with defaults), reads, lists, changes and removes rules; a taken name is 409, a bad kind 400, a missing rule 404', async () => {
    const { call } = await openApp()
    const res = await call('POST', '/api/alerts/rules', undefined, { name: 'failing scans', kind: 'failure_rate', type: 'scan', threshold: 0.2 })
    expect(res.status).toBe(201)
    const rule = alertRuleResponseSchema.parse(res.body).rule
    expect(rule).toMatchObject({ name: 'failing scans', kind: 'failure_rate', type: 'scan', queue: null, threshold: 0.2, windowMs: 300_000, format: 'json', cooldownMs: 900_000, enabled: true, webhookUrl: null })
    expect((await call('POST', '/api/alerts/rules', undefined, { name: 'failing scans', kind: 'queue_depth' })).body.error.code).toBe('already_exists')
    const bad = await call('POST', '/api/alerts/rules', undefined, { name: 'x', kind: 'vibes' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.details[0]).toMatchObject({ path: 'kind' })
    expect((await call('POST', '/api/alerts/rules', undefined, { name: 'x', kind: 'queue_depth', webhookUrl: 'file:///etc/passwd' })).status).toBe(400)

    expect((await call('GET', `/api/alerts/rules/${rule.id}`)).body.rule).toEqual(rule)
    const changed = await call('PATCH', `/api/alerts/rules/${rule.id}`, undefined, { threshold: 0.5, enabled: false })
    expect(changed.body.rule).toMatchObject({ threshold: 0.5, enabled: false, name: 'failing scans', type: 'scan' })
    expect((await call('GET', '/api/alerts/rules')).body.rules.map((r: { name: string }) => r.name)).toEqual(['failing scans'])
    expect(await call('DELETE', `/api/alerts/rules/${rule.id}`)).toMatchObject({ status: 200, body: { deleted: rule.id } })
    for (const [method, path] of [
      ['GET', `/api/alerts/rules/${rule.id}`],
      ['DELETE', `/api/alerts/rules/${rule.id}`],
      ['POST', `/api/alerts/rules/${rule.id}/test`],
    ] as const) {
      const gone = await call(method, path)
      expect(gone.status, `${method} ${path}`).toBe(404)
      expect(gone.body.error.code).toBe('alert_rule_not_found')
    }
    expect((await call('PATCH', `/api/alerts/rules/${rule.id}`, undefined, { threshold: 1 })).body.error.code).toBe('alert_rule_not_found')
  })

  it('refuses a failure_rate threshold outside 0..1 (400 naming threshold) on create and on change, judged on the rule as changed', async () => {
    const { call } = await openApp()
    const refusedThreshold = (res: { status: number; body: any }) => {
      expect(res.status).toBe(400)
      expect(res.body.error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('threshold') })
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'threshold' })])
    }
    for (const threshold of [1.5, 100, -0.1]) refusedThreshold(await call('POST', '/api/alerts/rules', undefined, { name: 'rate', kind: 'failure_rate', threshold }))
    const rate = (await call('POST', '/api/alerts/rules', undefined, { name: 'rate', kind: 'failure_rate', threshold: 1 })).body.rule
    expect(rate.threshold).toBe(1)
    refusedThreshold(await call('PATCH', `/api/alerts/rules/${rate.id}`, undefined, { threshold: 2 }))
    refusedThreshold(await call('PATCH', `/api/alerts/rules/${rate.id}`, undefined, { threshold: -1 }))
    // Other kinds count jobs or milliseconds. A change keeps every field it does not name.
    const depth = (await call('POST', '/api/alerts/rules', undefined, { name: 'depth', kind: 'queue_depth', threshold: 50, windowMs: 60_000 })).body.rule
    expect((await call('PATCH', `/api/alerts/rules/${depth.id}`, undefined, { enabled: false })).body.rule).toMatchObject({ threshold: 50, windowMs: 60_000, enabled: false })
    // Made a failure_rate rule, its stored threshold of 50 is refused; with a fraction it is taken.
    refusedThreshold(await call('PATCH', `/api/alerts/rules/${depth.id}`, undefined, { kind: 'failure_rate' }))
    const changed = await call('PATCH', `/api/alerts/rules/${depth.id}`, undefined, { kind: 'failure_rate', threshold: 0.25 })
    expect(changed).toMatchObject({ status: 200, body: { rule: { kind: 'failure_rate', threshold: 0.25, windowMs: 60_000, enabled: false } } })
  })

  it('refuses a webhook URL on a link-local or cloud metadata address (400 naming webhookUrl), on create and on change; loopback and private networks are allowed', async () => {
    const { call } = await openApp()
    const refused = [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/', // 169.254.169.254 as one number
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://[fe80::1]:8080/hook',
      'http://[::ffff:169.254.169.254]/',
      'https://[fd00:ec2::254]/latest/',
      'http://100.100.100.200/',
    ]
    for (const webhookUrl of refused) {
      const res = await call('POST', '/api/alerts/rules', undefined, { name: 'meta', kind: 'no_worker', webhookUrl })
      expect(res.status, webhookUrl).toBe(400)
      expect(res.body.error, webhookUrl).toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^invalid alert rule: webhookUrl: .* is a (link-local|cloud metadata) address; webhooks may not call/),
        details: [expect.objectContaining({ path: 'webhookUrl' })],
      })
    }
    const allowed = ['http://127.0.0.1:9/hook', 'http://[::1]:9/hook', 'http://10.0.0.7/hook', 'http://192.168.1.20/hook', 'https://hooks.internal/x']
    for (const [i, webhookUrl] of allowed.entries())
      expect((await call('POST', '/api/alerts/rules', undefined, { name: `ok ${i}`, kind: 'no_worker', webhookUrl })).status, webhookUrl).toBe(201)
    const rule = (await call('GET', '/api/alerts/rules')).body.rules[0]
    const change = await call('PATCH', `/api/alerts/rules/${rule.id}`, undefined, { webhookUrl: 'http://169.254.169.254/' })
    expect(change.status).toBe(400)
    expect(change.body.error.details).toEqual([expect.objectContaining({ path: 'webhookUrl' })])
    expect((await call('GET', `/api/alerts/rules/${rule.id}`)).body.rule.webhookUrl).toBe(rule.webhookUrl)
  })

  it("sends a test message to the rule's webhook, says when the webhook refused it, and refuses a rule without one (400)", async () => {
    const { call } = await openApp()
    const hook = await webhook()
    const rule = (await call('POST', '/api/alerts/rules', undefined, { name: 'to slack', kind: 'no_worker', webhookUrl: hook.url, format: 'slack' })).body.rule
    expect(await call('POST', `/api/alerts/rules/${rule.id}/test`)).toMatchObject({ status: 200, body: { delivered: true, error: null } })
    expect(hook.bodies).toEqual([{ text: expect.stringContaining('TEST to slack') }])

    const broken = await webhook(500)
    await call('PATCH', `/api/alerts/rules/${rule.id}`, undefined, { webhookUrl: broken.url })
    expect((await call('POST', `/api/alerts/rules/${rule.id}/test`)).body).toEqual({ delivered: false, error: 'webhook answered 500' })
    expect(broken.bodies).toHaveLength(1)

    const bare = (await call('POST', '/api/alerts/rules', undefined, { name: 'no hook', kind: 'queue_depth' })).body.rule
    const refused = await call('POST', `/api/alerts/rules/${bare.id}/test`)
    expect(refused.status).toBe(400)
    expect(refused.body.error.message).toContain('no webhookUrl')
    expect((await call('GET', '/api/alerts/history')).body.events).toEqual([]) // tests are not incidents
  })

  it('lists incidents newest first, each with its delivery', async () => {
    const { call, conveyor } = await openApp()
    const hook = await webhook()
    await call('POST', '/api/alerts/rules', undefined, { name: 'deep', kind: 'queue_depth', threshold: 0, webhookUrl: hook.url, cooldownMs: 0 })
    const job = (await call('POST', '/api/jobs', undefined, { type: 'x' })).body.job
    await conveyor.alertEvaluator.runOnce()
    await call('POST', `/api/jobs/${job.id}/cancel`)
    await conveyor.alertEvaluator.runOnce()
    await call('POST', '/api/jobs', undefined, { type: 'x' })
    await conveyor.alertEvaluator.runOnce()
    const history = alertHistoryResponseSchema.parse((await call('GET', '/api/alerts/history')).body).events
    expect(history.map((e) => [e.ruleName, e.state])).toEqual([
      ['deep', 'firing'],
      ['deep', 'resolved'],
    ])
    expect(history[1]!.resolvedAt).not.toBeNull()
    expect(history.every((e) => e.deliveredAt !== null && e.deliveryError === null)).toBe(true)
    expect((await call('GET', '/api/alerts/history?limit=1')).body.events).toHaveLength(1)
    expect((await call('GET', '/api/alerts/history?limit=0')).status).toBe(400)
  })
})
