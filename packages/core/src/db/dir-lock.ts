import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { ConveyorError, ErrorCodes } from '../errors.ts'

/** Directories this process holds: a second PGlite on the same files in one process corrupts them too. */
const heldHere = new Set<string>()

interface Holder {
  pid: number
  host: string
  since: string
}

/**
 * Takes the exclusive lock on an embedded data directory: a `conveyor.lock` file holding our pid.
 * PGlite is one connection inside one process; two processes writing one directory lose committed
 * rows, so the second is refused with a message saying what to do. A lock left by a process that no
 * longer runs (a crash, a SIGKILL) is taken over.
 *
 * The lock file appears with its content in one step: written to a file of our own, then hard-linked
 * to `conveyor.lock` (link fails when the name exists). Created in place with O_EXCL, it was empty
 * for an instant, and a second process reading it then took it for a dead holder's lock: both opened
 * the database (two processes racing on 3000 fresh directories both won 79 of them).
 *
 * Returns the function that releases the lock.
 */
export function lockDataDir(dir: string): () => void {
  const file = join(resolve(dir), 'conveyor.lock')
  if (heldHere.has(file)) throw lockedError(dir, { pid: process.pid, host: hostname(), since: '' })
  const mine = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`
  writeFileSync(mine, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies Holder))
  try {
    for (let tries = 0; tries < 5; tries++) {
      try {
        linkSync(mine, file)
        return held(file)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const seen = readText(file)
      if (seen === undefined) continue // released meanwhile: try again
      const holder = parseHolder(seen)
      if (holder && holder.host !== hostname()) throw lockedError(dir, holder)
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw lockedError(dir, holder)
      // Stale: its process is gone (or it is our own pid from an earlier run). Unlinking it and linking
      // again let two processes that both saw it stale both win (153 of 3000 races), so only the one
      // that creates the takeover marker replaces it, and only if it still is the stale lock it read.
      if (takeOver(dir, file, seen, mine)) return held(file)
    }
  } finally {
    rmSync(mine, { force: true })
  }
  throw new ConveyorError(ErrorCodes.dataDirLocked, `could not lock the data directory ${dir}; try again`)
}

/** Replaces the stale lock whose text is `seen` by ours; false when it changed meanwhile (look again). */
function takeOver(dir: string, file: string, seen: string, mine: string): boolean {
  const marker = `${file}.takeover`
  try {
    linkSync(mine, marker)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    const taker = parseHolder(readText(marker) ?? '')
    if (taker && taker.pid !== process.pid && isAlive(taker.pid)) throw lockedError(dir, taker)
    rmSync(marker, { force: true }) // left by a process that died while taking over
    return false
  }
  try {
    if (readText(file) !== seen) return false
    renameSync(mine, file) // atomic replace: the lock is never absent, never empty
    return true
  } finally {
    rmSync(marker, { force: true })
  }
}

function held(file: string): () => void {
  heldHere.add(file)
  return () => {
    heldHere.delete(file)
    try {
      unlinkSync(file)
    } catch {
      // already gone: nothing to release
    }
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const holder = JSON.parse(text) as Holder
    return typeof holder.pid === 'number' ? holder : undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function lockedError(dir: string, holder: Holder): ConveyorError {
  return new ConveyorError(
    ErrorCodes.dataDirLocked,
    `The data directory ${dir} is in use by another Conveyor (pid ${holder.pid} on ${holder.host}). ` +
      'The embedded database allows one process at a time. Stop the other process, give this one its own ' +
      '--data-dir, join the running one over HTTP (conveyor worker --server URL --key KEY), or use a ' +
      'PostgreSQL server (DATABASE_URL) to share one store between processes.',
    { details: holder },
  )
}
