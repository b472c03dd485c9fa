import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
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
 * Takes the exclusive lock on an embedded data directory: a `conveyor.lock` file created with
 * O_EXCL holding our pid. PGlite is one connection inside one process; two processes writing one
 * directory lose committed rows, so the second is refused with a message saying what to do.
 * A lock left by a process that no longer runs (a crash, a SIGKILL) is taken over.
 *
 * Returns the function that releases the lock.
 */
export function lockDataDir(dir: string): () => void {
  const file = join(resolve(dir), 'conveyor.lock')
  if (heldHere.has(file)) throw lockedError(dir, { pid: process.pid, host: hostname(), since: '' })
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies Holder))
      closeSync(fd)
      heldHere.add(file)
      return () => {
        heldHere.delete(file)
        try {
          unlinkSync(file)
        } catch {
          // already gone: nothing to release
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = readHolder(file)
      if (holder && holder.host === hostname() && holder.pid !== process.pid && isAlive(holder.pid)) throw lockedError(dir, holder)
      if (holder && holder.host !== hostname()) throw lockedError(dir, holder)
      // Stale: its process is gone (or it is our own pid from an earlier run). Remove it and try again.
      // Two processes taking over one stale lock in the same instant could both succeed; that needs a
      // crash and two starts within microseconds, which we accept rather than depend on a native flock.
      try {
        unlinkSync(file)
      } catch {
        // someone else removed it first; try again
      }
    }
  }
  throw new ConveyorError(ErrorCodes.dataDirLocked, `could not lock the data directory ${dir}; try again`)
}

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Holder
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
