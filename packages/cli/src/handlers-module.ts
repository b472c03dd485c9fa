import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Handler, Handlers } from '@conveyor/core'
import { demoHandlers } from './demo-handlers.ts'
import { UsageError } from './usage-error.ts'

const EXAMPLE = "export default { 'email.send': async (job, ctx) => { … } }, or export async function resize(job, ctx) { … }"

/**
 * Loads a handlers module (`--handlers FILE`): a .ts file (through tsx, which the bin registers) or a
 * .js file whose exports are handlers by job type. `export default { type: fn }` allows types that
 * are not identifiers (`email.send`); named function exports are handlers for their export name.
 * Both may be used together; a named export wins over a default entry of the same type.
 */
export async function loadHandlers(file: string): Promise<Handlers> {
  const path = resolve(file)
  if (!existsSync(path)) throw new UsageError(`--handlers ${file}: no such file (looked for ${path})`)
  let mod: Record<string, unknown>
  try {
    mod = moduleExports((await import(pathToFileURL(path).href)) as Record<string, unknown>)
  } catch (cause) {
    throw new Error(`could not load --handlers ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
  const handlers: Handlers = {}
  const def = mod.default
  if (def !== undefined && def !== null) {
    if (typeof def !== 'object') throw new UsageError(`--handlers ${file}: the default export must be an object of handlers by job type: ${EXAMPLE}`)
    for (const [type, fn] of Object.entries(def)) {
      if (typeof fn !== 'function') throw new UsageError(`--handlers ${file}: default export "${type}" is not a function`)
      handlers[type] = fn as Handler
    }
  }
  for (const [name, fn] of Object.entries(mod)) if (name !== 'default' && typeof fn === 'function') handlers[name] = fn as Handler
  if (Object.keys(handlers).length === 0) throw new UsageError(`--handlers ${file} exports no handlers: ${EXAMPLE}`)
  return handlers
}

/**
 * The handlers a command runs: the --handlers module, or the built-in demo handlers without one.
 * withDemo (start --demo enqueues demo jobs) brings the demo handlers along; the module's own win on a clash.
 */
export async function chooseHandlers(file: string | undefined, withDemo = false): Promise<{ handlers: Handlers; from: string }> {
  if (!file) return { handlers: demoHandlers, from: 'built-in demo handlers' }
  const loaded = await loadHandlers(file)
  return withDemo ? { handlers: { ...demoHandlers, ...loaded }, from: `${file} + demo handlers` } : { handlers: loaded, from: file }
}

/**
 * The exports as the module wrote them. Node loads a file outside a "type": "module" package as
 * CommonJS, so an ESM-syntax .ts file there arrives compiled by tsx, with all of its exports (marked
 * __esModule) under `default`.
 */
function moduleExports(ns: Record<string, unknown>): Record<string, unknown> {
  const def = ns.default
  if (def && typeof def === 'object' && (def as { __esModule?: unknown }).__esModule === true) return def as Record<string, unknown>
  return ns
}
