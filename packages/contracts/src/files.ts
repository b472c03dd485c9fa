import { z } from 'zod'
import { text } from './fields.ts'
import { LIMITS } from './limits.ts'

/** POST /api/files: the raw bytes as the body, described by the query and Content-Type. */
export const uploadQuerySchema = z.strictObject({
  name: text(255)
    .regex(/^[^/\\]+$/, 'a file name, without / or \\')
    .refine((n) => n !== '.' && n !== '..', 'a file name, not . or ..')
    .meta({ description: 'the file name, e.g. report.csv' }),
  owner: text(LIMITS.key)
    .optional()
    .meta({ description: "whose upload it is: the owner of the job it may be attached to (with a user token, always the token's owner)" }),
})

export const fileSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    size: z.number().int().meta({ description: 'bytes' }),
    contentType: z.string(),
    kind: z.enum(['input', 'output']).meta({ description: 'input: uploaded for the job; output: a result file its handler attached' }),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'JobFile' })

export const uploadResponseSchema = z.object({ file: fileSchema })
export const jobFilesResponseSchema = z.object({
  files: z.array(fileSchema.extend({ url: z.string().meta({ description: 'the download path of the file' }) })),
})
export const jobFileParamsSchema = z.strictObject({ id: z.string().max(64), name: z.string().min(1).max(255) })
