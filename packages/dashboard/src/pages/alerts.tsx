import type { AlertRuleRequest } from '@conveyor/client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { NavLink } from 'react-router'
import { client } from '../api.ts'
import { AlertRuleForm } from '../components/alert-rule-form.tsx'
import { ConfirmDialog } from '../components/confirm-dialog.tsx'
import { When } from '../components/time.tsx'
import { type AlertRule, describeRule, EMPTY_ALERT_FORM, ruleToForm } from '../lib/alert-form.ts'
import { formatDuration } from '../lib/format.ts'
import { useSession } from '../session.tsx'
import { EmptyRow, ErrorNote } from '../components/notes.tsx'

export const RULES_KEY = ['alerts', 'rules'] as const
export const HISTORY_KEY = ['alerts', 'history'] as const

/** Rules and History, one tab each. */
export function AlertsTabs() {
  const tab = ({ isActive }: { isActive: boolean }) =>
    `rounded px-3 py-1 text-sm ${isActive ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`
  return (
    <nav aria-label="alerts" className="flex gap-1">
      <NavLink to="/alerts" end className={tab}>
        Rules
      </NavLink>
      <NavLink to="/alerts/history" className={tab}>
        History
      </NavLink>
    </nav>
  )
}

type Editing = { rule: AlertRule | null } | null

/** Alert rules: each condition in words, whether it is firing now; create, edit, test, enable, delete (admin). */
export function AlertsPage() {
  const { can } = useSession()
  const qc = useQueryClient()
  const rules = useQuery({ queryKey: RULES_KEY, queryFn: () => client.listAlertRules(), enabled: can.oversee })
  const history = useQuery({ queryKey: [...HISTORY_KEY, 100], queryFn: () => client.alertHistory({ limit: 100 }), enabled: can.oversee, refetchInterval: 30_000 })
  const [editing, setEditing] = useState<Editing>(null)
  const [removing, setRemoving] = useState<AlertRule | null>(null)
  const [tested, setTested] = useState<{ rule: string; delivered: boolean; error: string | null } | null>(null)
  const refresh = () => void qc.invalidateQueries({ queryKey: ['alerts'] })
  const save = useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: AlertRuleRequest }) => (id ? client.updateAlertRule(id, body) : client.createAlertRule(body)),
    onSuccess: () => {
      setEditing(null)
      refresh()
    },
  })
  const toggle = useMutation({ mutationFn: (r: AlertRule) => client.updateAlertRule(r.id, { enabled: !r.enabled }), onSuccess: refresh })
  const remove = useMutation({
    mutationFn: (r: AlertRule) => client.removeAlertRule(r.id),
    onSuccess: () => {
      setRemoving(null)
      refresh()
    },
  })
  const test = useMutation({ mutationFn: (r: AlertRule) => client.testAlertRule(r.id), onSuccess: (answer, r) => setTested({ rule: r.name, ...answer }) })
  if (!can.oversee) return <p className="card">Alert rules are for admin and viewer keys.</p>

  // The newest incident of each rule says whether it is firing now.
  const latest = new Map<string, NonNullable<typeof history.data>['events'][number]>()
  for (const e of history.data?.events ?? []) if (!latest.has(e.ruleId)) latest.set(e.ruleId, e)
  const list = rules.data?.rules ?? []
  const error = rules.error ?? toggle.error ?? remove.error ?? test.error

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Alerts</h1>
        <AlertsTabs />
        {can.admin && !editing && (
          <button type="button" className="btn-primary ml-auto" onClick={() => setEditing({ rule: null })}>
            New rule
          </button>
        )}
      </div>
      <ErrorNote error={error} />
      {tested && (
        <p role="status" className="text-sm" data-testid="test-result">
          {tested.delivered ? `✓ The webhook of ${tested.rule} took the test message.` : `✕ The webhook of ${tested.rule} did not take the test message: ${tested.error ?? 'no answer'}.`}
        </p>
      )}
      {editing && (
        <AlertRuleForm
          key={editing.rule?.id ?? 'new'}
          initial={editing.rule ? ruleToForm(editing.rule) : EMPTY_ALERT_FORM}
          title={editing.rule ? `Edit ${editing.rule.name}` : 'New alert rule'}
          submitLabel={editing.rule ? 'Save' : 'Create rule'}
          busy={save.isPending}
          error={save.error}
          onSubmit={(body) => save.mutate({ id: editing.rule?.id ?? null, body })}
          onCancel={() => {
            setEditing(null)
            save.reset()
          }}
        />
      )}
      <div className="card overflow-x-auto p-0">
        <table className="w-full text-sm" data-testid="alert-rules">
          <thead>
            <tr>
              <th className="th">rule</th>
              <th className="th">fires when</th>
              <th className="th">now</th>
              <th className="th">delivery</th>
              <th className="th">state</th>
              {can.admin && <th className="th">actions</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((r) => {
              const last = latest.get(r.id)
              return (
                <tr key={r.id} className="border-t border-slate-100 align-top dark:border-slate-800" data-testid={`rule-${r.name}`}>
                  <td className="td font-medium">{r.name}</td>
                  <td className="td">{describeRule(r)}</td>
                  <td className="td whitespace-nowrap">
                    {last?.state === 'firing' ? (
                      <span className="text-rose-700 dark:text-rose-300">
                        ● firing since <When at={last.firedAt} />
                      </span>
                    ) : (
                      <span className="text-slate-500">✓ quiet</span>
                    )}
                  </td>
                  <td className="td">
                    {r.webhookUrl ? (
                      <>
                        <span className="break-all font-mono text-xs">{hostOf(r.webhookUrl)}</span>
                        <div className="text-xs text-slate-500">
                          {r.format === 'slack' ? 'Slack text' : 'JSON'} · cool-down {formatDuration(r.cooldownMs)}
                        </div>
                      </>
                    ) : (
                      <span className="text-slate-500">history only (no webhook)</span>
                    )}
                  </td>
                  <td className="td whitespace-nowrap">{r.enabled ? '● enabled' : <span className="text-slate-500">○ disabled</span>}</td>
                  {can.admin && (
                    <td className="td">
                      <div className="flex flex-wrap gap-1">
                        <button type="button" className="btn btn-sm" onClick={() => setEditing({ rule: r })}>
                          Edit
                        </button>
                        {r.webhookUrl && (
                          <button type="button" className="btn btn-sm" disabled={test.isPending} onClick={() => test.mutate(r)}>
                            Test
                          </button>
                        )}
                        <button type="button" className="btn btn-sm" disabled={toggle.isPending} onClick={() => toggle.mutate(r)}>
                          {r.enabled ? 'Disable' : 'Enable'}
                        </button>
                        <button type="button" className="btn btn-sm text-rose-700 dark:text-rose-300" onClick={() => setRemoving(r)}>
                          Delete
                        </button>
                      </div>
                    </td>
                  )}
                </tr>
              )
            })}
            {rules.data && list.length === 0 && (
              <EmptyRow colSpan={6}>
                No alert rules yet.
              </EmptyRow>
            )}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-slate-500">
        Rules are checked every 15 seconds. One incident sends one message when it starts and one when it clears; a rule that fires again within its cool-down stays quiet.
      </p>
      {removing && (
        <ConfirmDialog
          title={`Delete the rule “${removing.name}”?`}
          confirmLabel="Delete rule"
          cancelLabel="Keep it"
          destructive
          busy={remove.isPending}
          onConfirm={() => remove.mutate(removing)}
          onCancel={() => setRemoving(null)}
        >
          The rule and its history are removed.
        </ConfirmDialog>
      )}
    </div>
  )
}

/** Where a webhook goes, without its path (which often holds a secret token). */
function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}
