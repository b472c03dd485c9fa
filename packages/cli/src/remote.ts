import { type ConveyorClient, createClient } from '@conveyor/client'
import { CliError } from './cli-error.ts'
import type { Config } from './config.ts'
import { UsageError } from './usage-error.ts'

/**
 * A client of the server named by --server (CONVEYOR_SERVER), with the key of --key (CONVEYOR_KEY).
 * A server that cannot be reached is reported as such (`server_unreachable`), rather than as fetch's
 * bare "fetch failed".
 */
export function remoteClient(config: Pick<Config, 'server' | 'key'>): ConveyorClient {
  const baseUrl = config.server
  if (!baseUrl) throw new UsageError('no server given: pass --server URL (or set CONVEYOR_SERVER)')
  if (!config.key) throw new UsageError(`--server ${baseUrl} needs an API key: pass --key KEY (or set CONVEYOR_KEY)`)
  const reach: typeof fetch = async (input, init) => {
    try {
      return await fetch(input, init)
    } catch (cause) {
      // An abort is the caller's own doing (a worker stopping its long-poll): pass it on unchanged.
      if ((cause as Error).name === 'AbortError') throw cause
      const code = ((cause as { cause?: { code?: unknown } }).cause?.code as string | undefined) ?? (cause as Error).message
      throw new CliError(
        'server_unreachable',
        `could not reach the Conveyor server at ${baseUrl} (${code}): is it running? check --server (or CONVEYOR_SERVER)`,
        { cause },
      )
    }
  }
  return createClient({ baseUrl, key: config.key, fetch: reach })
}
