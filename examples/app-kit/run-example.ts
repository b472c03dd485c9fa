import { Conveyor, type ConveyorOptions } from '@conveyor/core'
import type { RunningExample } from './start-example.ts'

export interface Ports {
  host: string
  apiPort: number
  appPort: number
  adminKey?: string
}

/**
 * The example's command: opens Conveyor (embedded PGlite in `.conveyor-<name>`, or DATABASE_URL),
 * starts the example on it, prints where to go, and shuts down cleanly on Ctrl-C or SIGTERM.
 * Settings: DATABASE_URL, CONVEYOR_DATA_DIR, HOST, PORT (the page, default 3001), API_PORT (default
 * 3000), CONVEYOR_ADMIN_KEY (default: a new one each run, printed).
 */
export async function runExample(
  name: string,
  open: Pick<ConveyorOptions, 'maintenance'>,
  start: (conveyor: Conveyor, ports: Ports) => Promise<RunningExample>,
): Promise<void> {
  const env = process.env
  const conveyor = await Conveyor.open({
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.CONVEYOR_DATA_DIR ?? `.conveyor-${name}` }),
    logLevel: env.LOG_LEVEL ?? 'warn',
    ...open,
  })
  let example: RunningExample
  try {
    example = await start(conveyor, {
      host: env.HOST ?? '127.0.0.1',
      apiPort: Number(env.API_PORT ?? 3000),
      appPort: Number(env.PORT ?? 3001),
      ...(env.CONVEYOR_ADMIN_KEY ? { adminKey: env.CONVEYOR_ADMIN_KEY } : {}),
    })
  } catch (err) {
    await conveyor.close()
    throw err
  }
  console.log(`${name}: open ${example.appUrl}`)
  console.log(`  Conveyor API and dashboard: ${example.apiUrl} (admin key for this run: ${example.adminKey})`)
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    console.log('stopping…')
    await example.close()
    await conveyor.close()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
