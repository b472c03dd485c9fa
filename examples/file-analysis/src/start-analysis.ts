import type { ConveyorClient, Job, UploadData } from '@conveyor/client'
import { ANALYSE, ANALYSIS_TIMEOUT_MS } from './settings.ts'

/**
 * Starts the analysis of a CSV, as the page does: uploads the file (POST /api/files), then enqueues
 * an `analyse` job with it attached and a 10-minute timeout. Answers at once with the job; follow it
 * with useJob / subscribe, then download its result file.
 */
export async function startAnalysis(client: ConveyorClient, name: string, data: UploadData): Promise<Job> {
  const { file } = await client.uploadFile(name, data, { contentType: 'text/csv' })
  const { job } = await client.enqueue({
    type: ANALYSE,
    name,
    files: [file.id],
    timeoutMs: ANALYSIS_TIMEOUT_MS,
    // A parse error fails at once (PermanentError); a crash or a lost worker gets one more try.
    maxAttempts: 2,
  })
  return job
}
