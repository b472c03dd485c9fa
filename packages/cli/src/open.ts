import { Conveyor, type ConveyorOptions } from '@conveyor/core'
import type { Config } from './config.ts'
import { cliLogger } from './terminal.ts'

/** Opens a Conveyor for a command. One-shot commands run no maintenance: `conveyor start` does. */
export function openConveyor(config: Config, options: Partial<ConveyorOptions> = {}): Promise<Conveyor> {
  return Conveyor.open({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }),
    schema: config.schema,
    logger: cliLogger(config),
    maintenance: false,
    ...options,
  })
}

/** Runs fn with an open Conveyor and closes it afterwards, whatever happens. */
export async function withConveyor<T>(config: Config, fn: (conveyor: Conveyor) => Promise<T>, options?: Partial<ConveyorOptions>): Promise<T> {
  const conveyor = await openConveyor(config, options)
  try {
    return await fn(conveyor)
  } finally {
    await conveyor.close()
  }
}
