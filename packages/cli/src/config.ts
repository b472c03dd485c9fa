import { z } from 'zod'
import { UsageError } from './usage-error.ts'

/** The process environment as the CLI's entry hands it down; nothing below main.ts reads process.env. */
export type Env = Readonly<Record<string, string | undefined>>

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().min(1).max(1000)

/**
 * Every setting the CLI takes: its flag, its environment variable (if any), its schema and what a good
 * value looks like (the `expect` text is the fix shown when a value is bad). Flags win over the
 * environment; an empty environment variable counts as unset.
 */
const SETTINGS = {
  databaseUrl: {
    flag: '--database-url',
    env: 'DATABASE_URL',
    schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/).optional(),
    expect: 'a PostgreSQL URL such as postgres://user@127.0.0.1:5432/db (leave it unset for the embedded database)',
  },
  dataDir: {
    flag: '--data-dir',
    env: 'CONVEYOR_DATA_DIR',
    schema: z.string().min(1).default('./.conveyor'),
    expect: 'a directory for the embedded database, e.g. ./.conveyor',
  },
  port: { flag: '--port', env: 'PORT', schema: port.default(3000), expect: 'a TCP port from 0 to 65535' },
  host: { flag: '--host', env: 'HOST', schema: z.string().min(1).default('127.0.0.1'), expect: 'a host name or address, e.g. 127.0.0.1' },
  logLevel: {
    flag: '--log-level',
    env: 'LOG_LEVEL',
    schema: z.enum(LOG_LEVELS).default('warn'),
    expect: `one of ${LOG_LEVELS.join(', ')}`,
  },
  schema: {
    flag: '--schema',
    env: 'CONVEYOR_SCHEMA',
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,47}$/)
      .default('conveyor'),
    expect: 'a PostgreSQL schema name: lower-case letters, digits and _, starting with a letter or _, at most 48 characters',
  },
  adminKey: {
    flag: undefined,
    env: 'CONVEYOR_ADMIN_KEY',
    secret: true,
    schema: z.string().min(16).optional(),
    expect: 'an admin key of at least 16 characters (generate one with: openssl rand -base64 32), or leave it unset to have one generated on first start',
  },
  server: {
    flag: '--server',
    env: 'CONVEYOR_SERVER',
    schema: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/)
      .transform((s) => s.replace(/\/+$/, ''))
      .optional(),
    expect: 'the URL of a running Conveyor server, e.g. http://127.0.0.1:3000',
  },
  key: {
    flag: '--key',
    env: 'CONVEYOR_KEY',
    secret: true,
    schema: z.string().min(1).optional(),
    expect: 'an API key (cvk_…) that the server accepts',
  },
  concurrency: {
    flag: '--concurrency',
    env: undefined,
    schema: positiveInt.default(10),
    expect: 'a whole number of jobs to run at once, from 1 to 1000',
  },
  queues: {
    flag: '--queues',
    env: undefined,
    schema: z
      .string()
      .transform((s) => s.split(',').map((q) => q.trim()))
      .pipe(z.array(z.string().min(1).max(128)).min(1))
      .default(['default']),
    expect: 'a comma-separated list of queue names, e.g. default,emails',
  },
} as const

type Settings = typeof SETTINGS
export type SettingName = keyof Settings
/** The settings that have a flag (adminKey comes from the environment only: a secret stays out of `ps`). */
type FlagName = { [K in SettingName]: Settings[K]['flag'] extends string ? K : never }[SettingName]

const configSchema = z.object(
  Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.schema])) as { [K in SettingName]: Settings[K]['schema'] },
)

/** The CLI's configuration, parsed once per command from its flags and the environment. */
export type Config = z.output<typeof configSchema>

/** Raw flag values as commander hands them over (strings; absent when not given). */
export type Flags = Partial<Record<FlagName, string>>

/**
 * Parses flags and environment into a Config, once, at the start of a command.
 * A bad value throws a UsageError naming where it came from and what would be accepted.
 */
export function parseConfig(flags: Flags, env: Env): Config {
  const raw: Record<string, string> = {}
  const origin: Partial<Record<SettingName, string>> = {}
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, Settings[SettingName]][]) {
    const fromFlag = s.flag ? flags[name as FlagName] : undefined
    const fromEnv = s.env ? env[s.env] : undefined
    // A secret's value is never repeated in an error message (it ends up in terminals and CI logs).
    const shown = (v: string) => ('secret' in s ? '' : JSON.stringify(v))
    if (fromFlag !== undefined) {
      raw[name] = fromFlag
      origin[name] = `${s.flag} ${shown(fromFlag)}`.trimEnd()
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[name] = fromEnv
      origin[name] = `${s.env}${'secret' in s ? '' : `=${shown(fromEnv)}`} (from the environment)`
    }
  }
  const result = configSchema.safeParse(raw)
  if (result.success) return result.data
  const name = result.error.issues[0]?.path[0] as SettingName
  const s = SETTINGS[name]
  const how = [s.flag && `pass ${s.flag}`, s.env && `set ${s.env}`].filter(Boolean).join(' or ')
  throw new UsageError(`invalid setting ${origin[name] ?? s.flag ?? s.env}: expected ${s.expect}; ${how}`)
}

/** Describes the database a config points at, without any password, for the terminal. */
export function describeDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, resolvePath: (p: string) => string): string {
  if (!config.databaseUrl) return `embedded PGlite in ${resolvePath(config.dataDir)}`
  try {
    const url = new URL(config.databaseUrl)
    const db = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)'
    const user = url.username ? ` as ${decodeURIComponent(url.username)}` : ''
    return `PostgreSQL ${url.host || 'localhost'}/${db}${user}`
  } catch {
    return 'PostgreSQL (DATABASE_URL)'
  }
}
