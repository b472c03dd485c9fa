import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Handler, PermanentError } from '@conveyor/core'
import { currentBranch, ensureScratchRepo, git, isValidBranchName, run } from './git.ts'

/** What seed 001's clients put in a job (POST /api/jobs/enqueue puts the body's other fields in the payload). */
export interface ExtractionPayload {
  prompt: string
  /** Checked out before the command runs (created from main when missing); main again afterwards. */
  branch?: string
  name?: string
  originUrl?: string
}

export interface ExtractionResult {
  /** The branch the command ran on. */
  branch: string
  /** True when this job created the branch. */
  created: boolean
  command: string[]
  /** What the command printed (stdout). */
  output: string
}

export interface ExtractionOptions {
  /** The repository the jobs work in. Default: a scratch repository in the system's temp directory, created on first use. */
  repoDir?: string
  /**
   * The program and its arguments, run in the repository with no shell; `{prompt}` in an argument is
   * replaced by the job's prompt, which is also in the environment as PROMPT. Seed 001 runs Claude
   * here (`['claude', '-p', '{prompt}']`); the default is harmless: `git status --short`.
   */
  command?: readonly string[]
  /** The branch every job starts from and returns to. Default main. */
  mainBranch?: string
  /** The command's time limit. Default 10 minutes. */
  commandTimeoutMs?: number
}

export const DEFAULT_COMMAND = ['git', 'status', '--short'] as const
export const DEFAULT_REPO = join(tmpdir(), 'conveyor-queue-api-repo')

/**
 * Seed 001's `claude_extraction` worker step: check out the job's branch (creating it if it does not
 * exist), run the command there, return to main, and answer what the command printed. Jobs of one
 * handler take turns: they share one working tree, and two checkouts at once would trample each other.
 * A bad payload or branch name fails the job at once (PermanentError); a command that exits non-zero
 * fails the attempt (it is retried).
 *
 * @example
 *   conveyor.work({ default: createExtractionHandler({ repoDir: '/srv/checkout' }) }, { concurrency: 1 })
 */
export function createExtractionHandler(options: ExtractionOptions = {}): Handler<ExtractionPayload, ExtractionResult> {
  const repoDir = options.repoDir ?? DEFAULT_REPO
  const mainBranch = options.mainBranch ?? 'main'
  const command = [...(options.command ?? DEFAULT_COMMAND)]
  if (command.length === 0) throw new Error('command needs at least a program')
  let turn: Promise<unknown> = Promise.resolve()

  return async (job, ctx) => {
    const { prompt, branch } = (job.payload ?? {}) as Partial<ExtractionPayload>
    if (typeof prompt !== 'string' || prompt.trim() === '') throw new PermanentError('payload.prompt is required')
    if (branch !== undefined && typeof branch !== 'string') throw new PermanentError('payload.branch must be a string')

    const mine = turn.then(async () => {
      await ensureScratchRepo(repoDir, mainBranch)
      const target = branch ?? mainBranch
      if (!(await isValidBranchName(repoDir, target))) throw new PermanentError(`not a valid branch name: ${JSON.stringify(target)}`)
      const exists = (await run('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${target}`], { cwd: repoDir })).code === 0
      await git(repoDir, ['switch', '--quiet', mainBranch], ctx.signal)
      await git(repoDir, exists ? ['switch', '--quiet', target] : ['switch', '--quiet', '--create', target], ctx.signal)
      try {
        const ranOn = await currentBranch(repoDir)
        await ctx.progress(10, `on ${ranOn}${exists ? '' : ' (created)'}`)
        const argv = command.map((arg) => arg.replaceAll('{prompt}', prompt))
        const res = await run(argv[0]!, argv.slice(1), {
          cwd: repoDir,
          env: { ...process.env, PROMPT: prompt, CONVEYOR_JOB_ID: job.id },
          signal: ctx.signal,
          timeoutMs: options.commandTimeoutMs ?? 600_000,
        })
        if (res.code !== 0) throw new Error(`${argv[0]} exited with ${res.code}: ${res.stderr.trim().slice(0, 2000)}`)
        await ctx.progress(90, `ran ${argv[0]} on ${ranOn}`)
        return { branch: ranOn, created: !exists, command, output: res.stdout }
      } finally {
        // Back to main whatever happened, so the next job (and the seed's promise) starts from there.
        await git(repoDir, ['switch', '--quiet', mainBranch])
      }
    })
    turn = mine.catch(() => {})
    return mine
  }
}
