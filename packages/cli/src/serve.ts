import { resolve } from 'node:path'
import { type Conveyor, loadMigrations } from '@conveyor/core'
import type { RunningServer } from '@conveyor/server'
import { type Config, describeDatabase } from './config.ts'
import { settingsBlock } from './format.ts'
import { openConveyor } from './open.ts'
import { onStopSignals } from './signals.ts'
import { out } from './terminal.ts'

/** What runs beside the API until the stop signal (start's workers); returns how to stop it. */
export type Companion = (conveyor: Conveyor, server: RunningServer, adminKey: string) => Promise<() => Promise<void>>

/**
 * `conveyor start` and `conveyor server`: opens the database (migrating it) with maintenance (reaper,
 * cleaner, scheduler, rollups, alerts), serves the HTTP API and the dashboard on host:port, runs the
 * companion (workers), and waits for Ctrl+C. Then it closes the server (ending event streams and
 * waiting claims), stops the companion (running jobs get their grace period) and closes the database.
 */
export async function serve(config: Config, rows: [string, string][], describeStop: string, companion?: Companion): Promise<void> {
  out(settingsBlock('Conveyor is starting', [['database', describeDatabase(config, (p) => resolve(p))], ['schema', config.schema], ...rows]))
  const stop = onStopSignals(describeStop)
  try {
    const conveyor = await openConveyor(config, { maintenance: true })
    try {
      out(`  migrations  up to date (${loadMigrations().at(-1)?.name ?? 'none'})`)
      // Loaded here, not at the top: Fastify and its plugins cost every other command half a second.
      const { startServer } = await import('@conveyor/server')
      const server = await startServer({ conveyor, host: config.host, port: config.port, adminKey: config.adminKey })
      let stopCompanion: (() => Promise<void>) | undefined
      try {
        const adminKey = printServer(server, config)
        stopCompanion = await companion?.(conveyor, server, adminKey)
        out('Conveyor is running; press Ctrl+C to stop.')
        await stop.requested
      } finally {
        await server.close()
        await stopCompanion?.()
      }
    } finally {
      await conveyor.close()
    }
    out('Conveyor stopped.')
  } finally {
    stop.dispose()
  }
}

/**
 * Prints where the API and dashboard listen and the admin key: the generated one on the first start
 * (once: only its hash is stored), else where it comes from. Returns how the examples should write it.
 */
function printServer(server: RunningServer, config: Config): string {
  out(`  http api    ${server.url}/api (reference: ${server.url}/api/docs)`)
  out(`  dashboard   ${server.url}/`)
  if (server.firstAdminKey) {
    out(`  admin key   ${server.firstAdminKey}`)
    out('              created now and shown only this once (only its hash is stored): keep it somewhere safe')
    // The dashboard takes the key on its sign-in page (no key in the URL, where it would land in the history).
    out(`  sign in     open ${server.url}/ and paste the admin key`)
    return server.firstAdminKey
  }
  if (config.adminKey) {
    out('  admin key   CONVEYOR_ADMIN_KEY (from the environment)')
    return '$CONVEYOR_ADMIN_KEY'
  }
  out('  admin key   the one printed on the first start (lost it? `conveyor keys create --role admin` makes another)')
  return '<admin key>'
}
