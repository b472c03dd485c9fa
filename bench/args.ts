/** The benchmark's flags: `--backend pg|pglite|both`, `--quick`, `--runs N`, `--only ID,…`. */
export type BackendName = 'pg' | 'pglite'

export interface BenchArgs {
  backends: BackendName[]
  quick: boolean
  runs: number
  /** Scenario ids to run (`--only a,b`); all when empty. */
  only: string[]
  /** The backend flag as given, used in the results file name. */
  label: 'pg' | 'pglite' | 'both'
}

const USAGE = 'usage: npm run bench -- [--backend pg|pglite|both] [--quick] [--runs N] [--only ID[,ID…]]'

export function parseArgs(argv: readonly string[]): BenchArgs {
  let label: BenchArgs['label'] = 'both'
  let quick = false
  let runs = 1
  let only: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined]
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`)
    if (flag === '--backend') {
      const v = value()
      if (v !== 'pg' && v !== 'pglite' && v !== 'both') fail(`--backend must be pg, pglite or both (got ${v})`)
      label = v
    } else if (flag === '--quick') quick = true
    else if (flag === '--runs') {
      runs = Number(value())
      if (!Number.isInteger(runs) || runs < 1) fail('--runs must be a whole number ≥ 1')
    } else if (flag === '--only') {
      only = value().split(',').map((id) => id.trim()).filter(Boolean)
      if (only.length === 0) fail('--only needs scenario ids, e.g. --only drain-c50,fairness')
    } else if (flag === '--help' || flag === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else fail(`unknown flag ${arg}`)
  }
  const backends: BackendName[] = label === 'both' ? ['pg', 'pglite'] : [label]
  return { backends, quick, runs, only, label }
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}
