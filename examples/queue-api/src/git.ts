import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs a program (no shell: arguments are never re-parsed) in `cwd` and answers its exit code and
 * output; rejects only when it could not run at all, or on abort.
 */
export function run(program: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, signal: options.signal, timeout: options.timeoutMs ?? 0, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code
        if (err && typeof code !== 'number') return reject(err)
        resolve({ code: typeof code === 'number' ? code : 0, stdout, stderr })
      },
    )
  })
}

/** git in `repo`; throws with git's own message when it fails. */
export async function git(repo: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  const res = await run('git', args, { cwd: repo, ...(signal ? { signal } : {}) })
  if (res.code !== 0) throw new Error(`git ${args.join(' ')} failed (${res.code}): ${res.stderr.trim() || res.stdout.trim()}`)
  return res.stdout
}

/** The branch checked out in `repo`. */
export async function currentBranch(repo: string): Promise<string> {
  return (await git(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()
}

/** True when `name` is a branch name git accepts (and not one that reads as an option). */
export async function isValidBranchName(repo: string, name: string): Promise<boolean> {
  if (name.startsWith('-')) return false
  return (await run('git', ['check-ref-format', '--branch', name], { cwd: repo })).code === 0
}

/**
 * A scratch repository at `dir` with one commit on `main` (created when missing, left as it is when
 * there): a place for the handler to check branches out without touching a real project.
 */
export async function ensureScratchRepo(dir: string, mainBranch = 'main'): Promise<string> {
  if (existsSync(join(dir, '.git'))) return dir
  await mkdir(dir, { recursive: true })
  await git(dir, ['init', '--quiet', '--initial-branch', mainBranch])
  await writeFile(join(dir, 'README.md'), '# Scratch repository\n\nBranches checked out by the queue-api example land here.\n')
  await git(dir, ['add', 'README.md'])
  // Identity and signing set here, so a machine without a git identity (CI) can commit too.
  await git(dir, ['-c', 'user.name=Conveyor example', '-c', 'user.email=example@conveyor.invalid', '-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', 'scratch repository'])
  return dir
}
