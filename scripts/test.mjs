#!/usr/bin/env node
// `npm test`: the type check, then every test on embedded PGlite, then again on PostgreSQL when
// DATABASE_URL is set. Prints what it skipped and why, and one closing summary line.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'

const passes = [{ name: 'PGlite', env: { DATABASE_URL: '' } }]
if (process.env.DATABASE_URL) passes.push({ name: 'PostgreSQL', env: { DATABASE_URL: process.env.DATABASE_URL } })
const skipped = []
if (!process.env.DATABASE_URL) skipped.push('the PostgreSQL pass: DATABASE_URL is not set (e.g. DATABASE_URL=postgres://root@127.0.0.1:5432/test npm test)')
if (!existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium')) skipped.push('browser tests: no Chromium at /usr/bin/chromium (apt-get install -y chromium)')

const extra = process.argv.slice(2)
mkdirSync('.tmp', { recursive: true })
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1

let failed = 0
console.log('\n== type check ==')
if (run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) !== 0) failed++
if (run('npx', ['tsc', '-p', 'packages/dashboard/tsconfig.json', '--noEmit']) !== 0) failed++
const { readdirSync } = await import('node:fs')
for (const example of readdirSync('examples')) {
  const config = `examples/${example}/tsconfig.json`
  if (existsSync(config) && run('npx', ['tsc', '-p', config, '--noEmit']) !== 0) failed++
}
const totals = { passed: 0, failed: 0, skipped: 0 }
for (const pass of passes) {
  console.log(`\n== tests on ${pass.name} ==`)
  const report = `.tmp/vitest-${pass.name}.json`
  const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra], pass.env)
  if (status !== 0) failed++
  try {
    const { readFileSync } = await import('node:fs')
    const r = JSON.parse(readFileSync(report, 'utf8'))
    totals.passed += r.numPassedTests
    totals.failed += r.numFailedTests
    totals.skipped += r.numPendingTests + r.numTodoTests
  } catch {
    totals.failed++
  }
}
if (skipped.length) console.log('\nSkipped:\n' + skipped.map((s) => `- ${s}`).join('\n'))
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(failed > 0 || totals.failed > 0 ? 1 : 0)
