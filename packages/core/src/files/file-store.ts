import { Readable } from 'node:stream'
import { newId } from '../ids.ts'
import type { Db, Queryable } from '../db/db.ts'
import { ConveyorError, ErrorCodes, isUniqueViolation, translatePgError } from '../errors.ts'
import { isUuid } from '../jobs/job-store.ts'
import { buildFileQueries, type FileQueries } from './queries.ts'

export const FILE_DEFAULTS = {
  /** The largest file accepted, in bytes. */
  maxBytes: 50 * 1024 * 1024,
  /** Bytes per stored chunk: small enough to stream, large enough to keep rows few. */
  chunkBytes: 1024 * 1024,
  /** Uploads not attached to a job within this long are deleted by the cleaner. */
  unattachedRetentionMs: 24 * 3600_000,
} as const

export interface FileInfo {
  id: string
  jobId: string | null
  owner: string | null
  kind: 'input' | 'output'
  name: string
  contentType: string
  size: number
  createdAt: Date
}

export type FileData = string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>

export interface UploadInput {
  name: string
  contentType?: string
  data: FileData
  owner?: string | null
  jobId?: string | null
  kind?: 'input' | 'output'
  /** Refuse (file_too_large) past this many bytes; default FILE_DEFAULTS.maxBytes or the store's. */
  maxBytes?: number
}

type Row = Record<string, unknown>

/**
 * Files in and out of jobs, stored in PostgreSQL (both backends) in chunks. Writes stream: a file
 * over the limit is refused as soon as it passes it, and what was written of it is deleted.
 */
export class FileStore {
  readonly q: FileQueries

  constructor(
    private readonly db: Db,
    schema: string,
    readonly maxBytes: number = FILE_DEFAULTS.maxBytes,
  ) {
    this.q = buildFileQueries(schema)
  }

  async upload(input: UploadInput): Promise<FileInfo> {
    const name = validateName(input.name)
    const contentType = (input.contentType ?? 'application/octet-stream').slice(0, 255)
    const limit = Math.min(input.maxBytes ?? this.maxBytes, this.maxBytes)
    const id = newId()
    // An output replacing one of the same name is stored first, unattached, and takes the old one's
    // place only once whole (below): a replacement that fails (too large, a lost connection) leaves
    // the earlier file as it was.
    const replacing = input.kind === 'output' && input.jobId ? input.jobId : undefined
    await this.#run(this.q.fileInsert, [id, replacing ? null : (input.jobId ?? null), input.owner ?? null, input.kind ?? 'input', name, contentType])
    let size = 0
    let seq = 0
    let pending: Buffer[] = []
    let pendingBytes = 0
    const flush = async () => {
      if (pendingBytes === 0) return
      const chunk = Buffer.concat(pending, pendingBytes)
      pending = []
      pendingBytes = 0
      for (let off = 0; off < chunk.length; off += FILE_DEFAULTS.chunkBytes)
        await this.db.query(this.q.fileChunkInsert, [id, seq++, chunk.subarray(off, off + FILE_DEFAULTS.chunkBytes)])
    }
    try {
      for await (const part of toChunks(input.data)) {
        size += part.length
        if (size > limit)
          throw new ConveyorError(ErrorCodes.fileTooLarge, `file "${name}" is larger than the limit of ${limit} bytes`, {
            details: { limit },
          })
        pending.push(part)
        pendingBytes += part.length
        if (pendingBytes >= FILE_DEFAULTS.chunkBytes) await flush()
      }
      await flush()
      const [row] = await this.db.query<Row>(this.q.fileComplete, [id, size])
      if (!replacing) return toFile(row!)
      return await this.db.transaction(async (tx) => {
        await tx.query(this.q.fileDeleteOutputByJobName, [replacing, name, id])
        try {
          const [placed] = await tx.query<Row>(this.q.fileSetJob, [id, replacing])
          return toFile(placed!)
        } catch (err) {
          // Only an input of the job can hold the name now: an output never replaces what the job was given.
          if (isUniqueViolation(err))
            throw new ConveyorError(ErrorCodes.invalidInput, `the job has an input file named "${name}"; give the output another name`)
          throw err
        }
      })
    } catch (err) {
      await this.db.query(this.q.fileDelete, [id]).catch(() => {})
      throw translatePgError(err)
    }
  }

  /**
   * Attaches uploaded inputs to a job inside the caller's transaction; throws invalid_input unless
   * every file is an unattached, complete upload of that owner.
   */
  async attach(tx: Queryable, fileIds: readonly string[], jobId: string, owner: string | null): Promise<void> {
    if (fileIds.length === 0) return
    const bad = fileIds.filter((f) => !isUuid(f))
    const rows = bad.length ? [] : await tx.query<{ id: string }>(this.q.fileAttach, [fileIds, jobId, owner])
    if (rows.length !== new Set(fileIds).size) {
      const attached = new Set(rows.map((r) => r.id))
      const missing = fileIds.filter((f) => !attached.has(f))
      throw new ConveyorError(ErrorCodes.invalidInput, `files not found or already used: ${missing.join(', ')}`, {
        details: [{ path: 'files', message: 'each file must be an upload of yours not yet attached to a job' }],
      })
    }
  }

  /**
   * Deletes, inside the caller's transaction, the uploads of this owner that `attach` would have taken
   * (unattached, complete inputs); others are left alone. For an enqueue that found an earlier job
   * with its idempotency key: its new uploads would otherwise wait a day for the cleaner.
   */
  async discard(tx: Queryable, fileIds: readonly string[], owner: string | null): Promise<number> {
    const ids = fileIds.filter((f) => isUuid(f))
    if (ids.length === 0) return 0
    return (await tx.query(this.q.fileDeleteAttachable, [ids, owner])).length
  }

  async get(id: string): Promise<FileInfo | null> {
    if (!isUuid(id)) return null
    const [row] = await this.db.query<Row>(this.q.fileGet, [id])
    return row ? toFile(row) : null
  }

  async list(jobId: string): Promise<FileInfo[]> {
    if (!isUuid(jobId)) return []
    return (await this.db.query<Row>(this.q.fileListByJob, [jobId])).map(toFile)
  }

  async find(jobId: string, name: string): Promise<FileInfo | null> {
    if (!isUuid(jobId)) return null
    const [row] = await this.db.query<Row>(this.q.fileGetByJobName, [jobId, name])
    return row ? toFile(row) : null
  }

  /**
   * The file's bytes as a stream, read one chunk at a time. It ends as soon as `size` bytes were read,
   * with no query for a chunk past the last: a download's response ends with its last byte (a server
   * closing right after a client got every byte would otherwise find the connection still busy).
   */
  stream(file: FileInfo): Readable {
    const db = this.db
    const q = this.q
    return Readable.from(
      (async function* () {
        let read = 0
        for (let seq = 0; read < file.size; seq++) {
          const [row] = await db.query<{ data: Uint8Array }>(q.fileChunkGet, [file.id, seq])
          // Deleted while being read (its job purged): an error, so a download is cut off, not ended short.
          if (!row) throw new Error(`file "${file.name}" was deleted while being read`)
          read += row.data.byteLength
          yield Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength)
        }
      })(),
    )
  }

  /** The whole file in memory (for small files and tests). */
  async read(file: FileInfo): Promise<Buffer> {
    const parts: Buffer[] = []
    for await (const p of this.stream(file)) parts.push(p as Buffer)
    return Buffer.concat(parts)
  }

  async deleteUnattached(olderThanMs: number = FILE_DEFAULTS.unattachedRetentionMs): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(this.q.fileDeleteUnattached, [olderThanMs])
    return row?.n ?? 0
  }

  async #run(sql: string, params: unknown[]) {
    try {
      return await this.db.query<Row>(sql, params)
    } catch (err) {
      throw translatePgError(err)
    }
  }
}

async function* toChunks(data: FileData): AsyncIterable<Buffer> {
  if (typeof data === 'string') yield Buffer.from(data)
  else if (data instanceof Uint8Array) yield Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  else for await (const part of data as AsyncIterable<Uint8Array | string>) yield typeof part === 'string' ? Buffer.from(part) : Buffer.from(part)
}

function validateName(name: string): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > 255 || /[/\\]/.test(name) || name === '.' || name === '..')
    throw new ConveyorError(ErrorCodes.invalidInput, 'a file name must be 1 to 255 characters without / or \\', {
      details: [{ path: 'name', message: 'invalid file name' }],
    })
  return name
}

function toFile(r: Row): FileInfo {
  return {
    id: r.id as string,
    jobId: (r.job_id as string | null) ?? null,
    owner: (r.owner as string | null) ?? null,
    kind: r.kind as FileInfo['kind'],
    name: r.name as string,
    contentType: r.content_type as string,
    size: r.size as number,
    createdAt: r.created_at as Date,
  }
}
