import { type LookupAddress, type LookupOptions, promises as dns } from 'node:dns'
import type { LookupFunction } from 'node:net'

/** Resolves a name to all its addresses (dns.lookup with `all: true` by default; tests pass their own). */
export type Resolve = (hostname: string, options: Pick<LookupOptions, 'family' | 'hints'>) => Promise<LookupAddress[]>

const resolveAll: Resolve = (hostname, options) => dns.lookup(hostname, { ...options, all: true })

/**
 * The DNS lookup a socket connects with (`http.request({ lookup })`): it resolves every address of the
 * name and refuses them all when `check` throws for any one. Checking inside the connection's own
 * lookup, rather than resolving first and connecting after, leaves no window for a name to resolve
 * differently the second time (DNS rebinding). An IP literal is connected to without a lookup: judge
 * it before connecting.
 *
 * @example
 *   http.request(url, { lookup: guardedLookup((host, address) => { if (blockedKind(address)) throw new Error(`refused ${host}`) }) })
 */
export function guardedLookup(check: (hostname: string, address: string) => void, resolve: Resolve = resolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family ?? 0, hints: options.hints ?? 0 }).then(
      (addresses) => {
        try {
          if (addresses.length === 0) throw new Error(`${hostname} has no address`)
          for (const a of addresses) check(hostname, a.address)
        } catch (error) {
          return callback(error as NodeJS.ErrnoException, '', 0)
        }
        if (options.all) return callback(null, addresses)
        const first = addresses[0]!
        callback(null, first.address, first.family)
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    )
  }
}
