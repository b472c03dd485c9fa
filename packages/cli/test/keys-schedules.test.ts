import { KeyStore } from '@conveyor/core'
import { describe, expect, it } from 'vitest'
import { freshStore, ok, openStore, runCli } from './helpers.ts'

// Each command is its own process that opens the store, so these take seconds each on a shared machine.
const SLOW = 180_000

describe('conveyor keys', () => {
  it(
    'keys create prints a key once that the database knows, keys list shows it without the secret, keys revoke revokes it',
    async () => {
      const store = freshStore()
      const created = await runCli(['keys', 'create', '--role', 'producer', '--name', 'backend', ...store])
      expect(created.code).toBe(0)
      const key = created.stdout.trim()
      expect(key).toMatch(/^cvk_[\w-]+$/)
      const id = created.stderr.match(/created producer key "backend" \(id ([\w-]+)\)/)?.[1]
      expect(id).toBeDefined()

      const conveyor = await openStore(store)
      try {
        expect(await new KeyStore(conveyor.db, conveyor.schema).findByKey(key)).toMatchObject({ id, name: 'backend', role: 'producer' })
      } finally {
        await conveyor.close()
      }

      const list = await ok(['keys', 'list', ...store])
      expect(list).toMatch(new RegExp(`^${id}\\s+backend\\s+producer\\s`, 'm'))
      expect(list).not.toContain(key)

      expect(await ok(['keys', 'revoke', id!, ...store])).toContain(`revoked producer key "backend" (${id})`)
      const after = JSON.parse(await ok(['keys', 'list', '--json', ...store])) as { id: string; revokedAt: string | null }[]
      expect(after.find((k) => k.id === id)?.revokedAt).toEqual(expect.any(String))

      const unknown = await runCli(['keys', 'revoke', '00000000-0000-7000-8000-000000000000', ...store])
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toMatch(/^error \(key_not_found\): /m)
    },
    SLOW,
  )
})

describe('conveyor schedules', () => {
  it(
    'schedules add, list with the next run in its zone, trigger a run now, and disable',
    async () => {
      const store = freshStore()
      const added = await ok([
        'schedules', 'add', '--name', 'morning', '--cron', '0 9 * * 1-5', '--timezone', 'Europe/London',
        '--type', 'report.run', '--payload', '{"k": 1}', '--overlap', 'skip', ...store,
      ])
      expect(added).toMatch(/^added schedule morning \([\w-]+\): 0 9 \* \* 1-5 in Europe\/London/)
      // 09:00 on London's clock, whether GMT (+00:00) or BST (+01:00) applies that day.
      expect(added.match(/^ {2}\d{4}-\d\d-\d\d 09:00:00 \+0[01]:00$/gm)).toHaveLength(5)
      // The same name again: refused, saying how to replace it from here.
      const again = await runCli(['schedules', 'add', '--name', 'morning', '--cron', '0 9 * * *', '--type', 'report.run', ...store])
      expect(again.code).toBe(1)
      expect(again.stderr).toMatch(/already_exists.*--replace/)

      const list = await ok(['schedules', 'list', ...store])
      expect(list.split('\n')[0]).toMatch(/^NAME\s+CRON\s+TIMEZONE\s+TYPE\s+QUEUE\s+ENABLED\s+NEXT RUN \(ITS ZONE\)/)
      expect(list).toMatch(/^morning\s+0 9 \* \* 1-5\s+Europe\/London\s+report\.run\s+default\s+yes\s+\d{4}-\d\d-\d\d 09:00:00 \+0[01]:00\s/m)

      const job = JSON.parse(await ok(['schedules', 'trigger', 'morning', ...store])) as Record<string, unknown>
      expect(job).toMatchObject({ type: 'report.run', payload: { k: 1 }, status: 'pending', source: 'schedule', metadata: { scheduleName: 'morning' } })

      expect(await ok(['schedules', 'disable', 'morning', ...store])).toMatch(/^disabled morning$/m)
      const [s] = JSON.parse(await ok(['schedules', 'list', '--json', ...store])) as Record<string, unknown>[]
      // Disabling changed only `enabled`: the zone and overlap stay as added.
      expect(s).toMatchObject({ name: 'morning', enabled: false, nextRunAt: null, timezone: 'Europe/London', overlap: 'skip' })
    },
    SLOW,
  )
})

describe('conveyor alerts', () => {
  it(
    'alerts add, list, history and remove; a bad kind is a usage error',
    async () => {
      const store = freshStore()
      expect(await ok(['alerts', 'add', '--name', 'deep', '--kind', 'queue_depth', '--threshold', '5', ...store])).toMatch(/^added alert rule deep \(/)
      const rules = JSON.parse(await ok(['alerts', 'list', '--json', ...store])) as { name: string; kind: string; threshold: number }[]
      expect(rules).toEqual([expect.objectContaining({ name: 'deep', kind: 'queue_depth', threshold: 5 })])
      expect(await ok(['alerts', 'history', ...store])).toContain('no alerts yet')
      const bad = await runCli(['alerts', 'add', '--name', 'x', '--kind', 'bogus', ...store])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('Allowed choices are')
      expect(await ok(['alerts', 'remove', 'deep', ...store])).toContain('removed deep')
      expect(await ok(['alerts', 'list', ...store])).toContain('no alert rules')
    },
    SLOW,
  )
})
