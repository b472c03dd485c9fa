import { quoteIdent } from '../db/db.ts'

/** The SQL of job files (migrations/0006_files.sql), built once per schema. */
export type FileQueries = ReturnType<typeof buildFileQueries>

const FILE_COLUMNS = 'id, job_id, owner, kind, name, content_type, size, complete, created_at'

export function buildFileQueries(schema: string) {
  const s = quoteIdent(schema)
  const F = `${s}.job_files`
  const C = `${s}.job_file_chunks`
  return {
    /** $1 id, $2 job, $3 owner, $4 kind, $5 name, $6 content type. */
    fileInsert: `INSERT INTO ${F} (id, job_id, owner, kind, name, content_type) VALUES ($1, $2, $3, $4, $5, $6)
      RETURNING ${FILE_COLUMNS}`,
    /** $1 file, $2 seq, $3 bytes. */
    fileChunkInsert: `INSERT INTO ${C} (file_id, seq, data) VALUES ($1, $2, $3)`,
    /** $1 file, $2 size. */
    fileComplete: `UPDATE ${F} SET size = $2, complete = true WHERE id = $1 RETURNING ${FILE_COLUMNS}`,
    fileDelete: `DELETE FROM ${F} WHERE id = $1`,
    /** $1 job, $2 name, $3 the new file: an earlier output of the same name, replaced by a new attach. */
    fileDeleteOutputByJobName: `DELETE FROM ${F} WHERE job_id = $1 AND name = $2 AND kind = 'output' AND id <> $3`,
    /** $1 file, $2 job: a stored output put in its place on the job. */
    fileSetJob: `UPDATE ${F} SET job_id = $2 WHERE id = $1 RETURNING ${FILE_COLUMNS}`,
    /** $1 ids, $2 job, $3 owner: attaches unattached, complete inputs of that owner (NULL owner: any). */
    fileAttach: `UPDATE ${F} SET job_id = $2 WHERE id = ANY($1::uuid[]) AND job_id IS NULL AND complete
      AND kind = 'input' AND ($3::text IS NULL OR owner IS NOT DISTINCT FROM $3) RETURNING id`,
    /** $1 ids, $2 owner: the uploads fileAttach would take, deleted instead (named by a duplicate enqueue). */
    fileDeleteAttachable: `DELETE FROM ${F} WHERE id = ANY($1::uuid[]) AND job_id IS NULL AND complete
      AND kind = 'input' AND ($2::text IS NULL OR owner IS NOT DISTINCT FROM $2) RETURNING id`,
    fileGet: `SELECT ${FILE_COLUMNS} FROM ${F} WHERE id = $1`,
    /** $1 job. */
    fileListByJob: `SELECT ${FILE_COLUMNS} FROM ${F} WHERE job_id = $1 AND complete ORDER BY kind, name`,
    /** $1 job, $2 name. */
    fileGetByJobName: `SELECT ${FILE_COLUMNS} FROM ${F} WHERE job_id = $1 AND name = $2 AND complete`,
    /** $1 file, $2 seq. */
    fileChunkGet: `SELECT data FROM ${C} WHERE file_id = $1 AND seq = $2`,
    /** $1 age ms: uploads never attached to a job. */
    fileDeleteUnattached: `WITH gone AS (DELETE FROM ${F} WHERE job_id IS NULL AND created_at < now() - $1 * interval '1 millisecond'
      RETURNING 1) SELECT count(*) AS n FROM gone`,
  }
}
