import { ALERT_KINDS, type AlertRule, type Conveyor, ConveyorError, ErrorCodes, isUuid } from '@conveyor/core'
import { type Command, Option } from 'commander'
import { type Env, type Flags, parseConfig } from '../config.ts'
import { json, table, time } from '../format.ts'
import { withConveyor } from '../open.ts'
import { withDatabaseOptions } from '../options.ts'
import { out } from '../terminal.ts'
import { UsageError } from '../usage-error.ts'

interface AddFlags extends Flags {
  name: string
  kind: (typeof ALERT_KINDS)[number]
  queue?: string
  type?: string
  threshold?: string
  windowMs?: string
  webhook?: string
  format?: 'json' | 'slack'
  cooldownMs?: string
  json?: boolean
}

/** The alert rule named, or with the id, `ref`. */
async function findRule(c: Conveyor, ref: string): Promise<AlertRule> {
  const found = isUuid(ref) ? await c.alerts.get(ref) : (await c.alerts.list()).find((r) => r.name === ref)
  if (!found) throw new ConveyorError(ErrorCodes.alertRuleNotFound, `no alert rule named or with id ${JSON.stringify(ref)} (conveyor alerts list shows them)`)
  return found
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number of 0 or more (got ${JSON.stringify(value)})`)
  return n
}

export function alertsCommand(program: Command, env: Env): void {
  const alerts = program.command('alerts').description('alert rules (delivered to a webhook, one message per incident) and their history')

  withDatabaseOptions(alerts.command('list'))
    .description('list the alert rules')
    .option('--json', 'print the rules as JSON')
    .action(async (flags: Flags & { json?: boolean }) => {
      const config = parseConfig(flags, env)
      const rules = await withConveyor(config, (c) => c.alerts.list())
      if (flags.json) return out(json(rules))
      out(
        rules.length
          ? table(
              ['NAME', 'KIND', 'QUEUE', 'TYPE', 'THRESHOLD', 'WINDOW MS', 'WEBHOOK', 'ENABLED', 'ID'],
              rules.map((r) => [r.name, r.kind, r.queue ?? '-', r.type ?? '-', String(r.threshold), String(r.windowMs), r.webhookUrl ?? '-', r.enabled ? 'yes' : 'no', r.id]),
            )
          : 'no alert rules (conveyor alerts add creates one)',
      )
    })

  withDatabaseOptions(alerts.command('add'))
    .description('add an alert rule')
    .requiredOption('--name <name>', 'a unique name')
    .addOption(new Option('--kind <kind>', 'what to watch').choices([...ALERT_KINDS]).makeOptionMandatory())
    .option('--queue <name>', 'only this queue')
    .option('--type <type>', 'only this job type (for schedule_missed: schedules of this type)')
    .option('--threshold <n>', 'failure_rate: a fraction 0..1; queue_depth: jobs; oldest_pending_age, job_running_longer: ms')
    .option('--window-ms <n>', 'failure_rate: the window (default 300000)')
    .option('--webhook <url>', 'where to POST the messages')
    .addOption(new Option('--format <format>', 'the webhook body: Conveyor JSON or Slack-compatible').choices(['json', 'slack']).default('json'))
    .option('--cooldown-ms <n>', 'a rule firing again within this long after resolving reopens the incident silently (default 900000)')
    .option('--json', 'print the rule as JSON')
    .addHelpText('after', `\nExample:\n  conveyor alerts add --name failing --kind failure_rate --threshold 0.2 --webhook https://hooks.slack.com/... --format slack`)
    .action(async (flags: AddFlags) => {
      const input = {
        name: flags.name,
        kind: flags.kind,
        queue: flags.queue,
        type: flags.type,
        threshold: number('--threshold', flags.threshold),
        windowMs: number('--window-ms', flags.windowMs),
        webhookUrl: flags.webhook,
        format: flags.format,
        cooldownMs: number('--cooldown-ms', flags.cooldownMs),
      }
      const config = parseConfig(flags, env)
      const rule = await withConveyor(config, (c) => c.alerts.create(input))
      if (flags.json) return out(json(rule))
      out(`added alert rule ${rule.name} (${rule.id}): ${rule.kind}${rule.webhookUrl ? ` → ${rule.webhookUrl}` : ' (no webhook: history only)'}`)
    })

  withDatabaseOptions(alerts.command('remove'))
    .description('remove an alert rule')
    .argument('<rule>', 'the rule, by name or id')
    .action(async (ref: string, flags: Flags) => {
      const config = parseConfig(flags, env)
      await withConveyor(config, async (c) => {
        const rule = await findRule(c, ref)
        await c.alerts.remove(rule.id)
        out(`removed ${rule.name}`)
      })
    })

  withDatabaseOptions(alerts.command('history'))
    .description('incidents, newest first')
    .option('--limit <n>', 'how many (default 50)')
    .option('--json', 'print the incidents as JSON')
    .action(async (flags: Flags & { limit?: string; json?: boolean }) => {
      const config = parseConfig(flags, env)
      const events = await withConveyor(config, (c) => c.alerts.history(number('--limit', flags.limit) ?? 50))
      if (flags.json) return out(json(events))
      out(
        events.length
          ? table(
              ['FIRED (UTC)', 'RULE', 'STATE', 'RESOLVED (UTC)', 'MESSAGE', 'DELIVERED'],
              events.map((e) => [time(e.firedAt), e.ruleName, e.state, time(e.resolvedAt), e.message, e.deliveredAt ? 'yes' : (e.deliveryError ?? 'no webhook')]),
            )
          : 'no alerts yet',
      )
    })
}
