import type { Readable } from 'node:stream'
import { ROUTES } from '@conveyor/contracts'
import type { FastifyInstance } from 'fastify'
import { scopeOf } from '../auth.ts'
import type { ServerContext } from '../context.ts'
import { HttpError } from '../errors.ts'
import { addRoute } from '../route.ts'
import { toApiFile } from '../serialize.ts'

/**
 * Downloads are user content served from the dashboard's origin: always an attachment, never sniffed,
 * and sandboxed should a browser render it anyway.
 */
const DOWNLOAD_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'private, no-store',
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}

const downloadPath = (jobId: string, name: string) =>
  ROUTES.downloadJobFile.path.replace(':id', encodeURIComponent(jobId)).replace(':name', encodeURIComponent(name))

/** Files of jobs: upload (streamed, with a size limit), list a job's files, download one. */
export function fileRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'uploadFile', async ({ caller, query, request }, ctx) => {
    if (caller.role === 'user' && query.owner !== undefined && query.owner !== caller.owner)
      throw new HttpError('forbidden', 'a user token uploads files for its own owner only', [
        { in: 'query', path: 'owner', message: "must be absent or the token's owner" },
      ])
    const limit = ctx.config.maxFileBytes
    // A declared length over the limit is refused before a byte is read.
    const declared = Number(request.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit)
      throw new HttpError('file_too_large', `the file is ${declared} bytes, more than the limit of ${limit}`, { limit })
    try {
      const file = await ctx.conveyor.files.upload({
        name: query.name,
        contentType: request.headers['content-type'] ?? 'application/octet-stream',
        data: (request.body as Readable | undefined) ?? Buffer.alloc(0),
        owner: caller.role === 'user' ? caller.owner : (query.owner ?? null),
        maxBytes: limit,
      })
      return { file: toApiFile(file) }
    } catch (err) {
      // The request stream's own error of a connection closed mid-body (Node's `aborted`, ECONNRESET):
      // the client went away, its doing, not a server fault. upload() has deleted what was stored of
      // the file; the answer reaches a socket still open only.
      if (err === request.raw.errored && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        request.log.warn({ route: 'uploadFile', name: query.name }, 'upload aborted by the client before its body ended; its partial file was deleted')
        throw new HttpError('invalid_input', 'the upload ended before its body did (the connection was closed); nothing was stored')
      }
      throw err
    }
  })

  addRoute(app, ctx, 'listJobFiles', async ({ caller, params }, ctx) => {
    if ((await ctx.conveyor.jobs.status(params.id, scopeOf(caller))) === null) throw new HttpError('job_not_found', `job ${params.id} not found`)
    const files = await ctx.conveyor.files.list(params.id)
    return { files: files.map((f) => ({ ...toApiFile(f), url: downloadPath(params.id, f.name) })) }
  })

  addRoute(app, ctx, 'downloadJobFile', async ({ caller, params, reply }, ctx) => {
    // Another owner's job answers as a job that does not exist, files included.
    if ((await ctx.conveyor.jobs.status(params.id, scopeOf(caller))) === null) throw new HttpError('job_not_found', `job ${params.id} not found`)
    const file = await ctx.conveyor.files.find(params.id, params.name)
    if (!file) throw new HttpError('not_found', `job ${params.id} has no file named ${JSON.stringify(params.name)}`)
    reply
      .headers(DOWNLOAD_HEADERS)
      .header('content-type', file.contentType)
      .header('content-length', String(file.size))
      .header('content-disposition', contentDisposition(file.name))
    return reply.send(ctx.conveyor.files.stream(file)) as never
  })
}
