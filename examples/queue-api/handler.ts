/**
 * The worker of seed 001, as a handlers module: `conveyor start --handlers examples/queue-api/handler.ts`
 * (or `conveyor worker --handlers …`). Seed 001's clients enqueue without a `type`, so their jobs are
 * of type `default`; `claude_extraction` is there too, for clients that name it.
 *
 * Settings: QUEUE_API_REPO (default: a scratch repository in the temp directory, created on first
 * use), QUEUE_API_COMMAND (a JSON array, e.g. '["claude","-p","{prompt}"]'; default git status --short).
 */
import { createExtractionHandler } from './src/claude-extraction.ts'

function command(): string[] | undefined {
  const raw = process.env.QUEUE_API_COMMAND
  if (!raw) return undefined
  const parsed: unknown = JSON.parse(raw)
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string'))
    throw new Error(`QUEUE_API_COMMAND must be a JSON array of strings, like ["git","status","--short"], not ${raw}`)
  return parsed
}

const cmd = command()
const extraction = createExtractionHandler({
  ...(process.env.QUEUE_API_REPO ? { repoDir: process.env.QUEUE_API_REPO } : {}),
  ...(cmd ? { command: cmd } : {}),
})

export default { default: extraction, claude_extraction: extraction }
