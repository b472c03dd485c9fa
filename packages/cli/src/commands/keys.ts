import { type Conveyor, KEY_ROLES, type KeyRole, KeyStore } from '@conveyor/core'
import type { Command } from 'commander'
import { CliError } from '../cli-error.ts'
import { type Config, type Env, type Flags, parseConfig } from '../config.ts'
import { json, table, time } from '../format.ts'
import { withConveyor } from '../open.ts'
import { remoteOptions, withDatabaseOptions } from '../options.ts'
import { remoteClient } from '../remote.ts'
import { err, out } from '../terminal.ts'
import { UsageError } from '../usage-error.ts'

interface KeyFlags extends Flags {
  role?: string
  name?: string
  json?: boolean
}

/** A key as the database or the API lists it (the API sends dates as strings). */
interface KeyRow {
  id: string
  name: string
  role: string
  createdAt: Date | string
  lastUsedAt: Date | string | null
  revokedAt: Date | string | null
}

/**
 * Runs a keys operation against the server of --server (with an admin --key), or directly against the
 * database (which needs no key: whoever can open the database owns it).
 */
function withKeys<T>(config: Config, direct: (keys: KeyStore) => Promise<T>, remote: (client: ReturnType<typeof remoteClient>) => Promise<T>): Promise<T> {
  if (config.server) return remote(remoteClient(config))
  if (config.key) throw new UsageError('--key is the key for --server URL; pass both, or neither to work on the database directly')
  return withConveyor(config, (c: Conveyor) => direct(new KeyStore(c.db, c.schema)))
}

function parseRole(role: string | undefined): KeyRole {
  if (role === undefined) throw new UsageError(`missing --role: pass one of ${KEY_ROLES.join(', ')}`)
  if (!(KEY_ROLES as readonly string[]).includes(role)) throw new UsageError(`invalid --role ${JSON.stringify(role)}: expected one of ${KEY_ROLES.join(', ')}`)
  return role as KeyRole
}

function keysTable(keys: readonly KeyRow[]): string {
  const when = (d: Date | string | null) => time(d === null ? null : new Date(d))
  return table(
    ['ID', 'NAME', 'ROLE', 'CREATED', 'LAST USED', 'REVOKED'],
    keys.map((k) => [k.id, k.name, k.role, when(k.createdAt), when(k.lastUsedAt), when(k.revokedAt)]),
  )
}

export function keysCommand(program: Command, env: Env): void {
  const keys = program
    .command('keys')
    .description('create, list and revoke API keys (against the database, or a server with --server and an admin --key)')
  const define = (name: string) => remoteOptions(withDatabaseOptions(keys.command(name)), 'manage keys')

  define('create')
    .description('create an API key and print it: its secret is shown this once, only its hash is stored')
    .option('--role <role>', `what the key may do: ${KEY_ROLES.join(', ')}`)
    .option('--name <name>', 'a name to recognise it by in lists and logs (default: "<role> key")')
    .option('--json', 'print { id, name, role, key } as JSON')
    .addHelpText(
      'after',
      '\nRoles: admin (everything, the dashboard), producer (an app backend: enqueue and manage jobs, mint user tokens),' +
        '\nworker (claim and finish jobs over HTTP), viewer (read only).' +
        '\n\nExamples:\n  conveyor keys create --role producer --name backend' +
        '\n  conveyor keys create --role worker --server http://127.0.0.1:3000 --key "$ADMIN_KEY"',
    )
    .action(async (flags: KeyFlags) => {
      const role = parseRole(flags.role)
      const config = parseConfig(flags, env)
      const name = flags.name ?? `${role} key`
      const created = await withKeys(
        config,
        async (store) => {
          const { key, info } = await store.create({ name, role })
          return { id: info.id, name: info.name, role: info.role, key }
        },
        async (client) => {
          const { id, key } = await client.createKey({ name, role })
          return { id, name, role, key }
        },
      )
      if (flags.json) return out(json(created))
      // The key alone on stdout, so KEY=$(conveyor keys create …) works; the rest is for the reader.
      out(created.key)
      err(`created ${created.role} key "${created.name}" (id ${created.id}); the key above is shown only this once`)
    })

  define('list')
    .description('list the API keys (never their secrets), newest first')
    .option('--json', 'print the keys as JSON')
    .action(async (flags: KeyFlags) => {
      const config = parseConfig(flags, env)
      const list = await withKeys<KeyRow[]>(
        config,
        (store) => store.list(),
        async (client) => (await client.listKeys()).keys,
      )
      if (flags.json) return out(json(list))
      out(list.length ? keysTable(list) : 'no keys')
    })

  define('revoke')
    .description('revoke an API key: it stops working at once on this database (servers trust a verified key for up to 5 s)')
    .argument('<id>', 'the key id, as keys list shows it')
    .action(async (id: string, flags: KeyFlags) => {
      const config = parseConfig(flags, env)
      const revoked = await withKeys<KeyRow | null>(
        config,
        (store) => store.revoke(id),
        async (client) => (await client.revokeKey(id)).key,
      )
      if (!revoked) throw new CliError('key_not_found', `no key with id ${id} (conveyor keys list shows them)`)
      out(`revoked ${revoked.role} key "${revoked.name}" (${revoked.id})`)
    })
}
