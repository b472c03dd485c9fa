import type { ReactNode } from 'react'
import { errorMessage } from '../api.ts'

/** A failed call's message, or nothing when there is none. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null
  return (
    <p role="alert" className="text-sm text-rose-700 dark:text-rose-400">
      {errorMessage(error)}
    </p>
  )
}

/** The one row of a table with nothing to list. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td className="td py-6 text-center text-slate-500" colSpan={colSpan}>
        {children}
      </td>
    </tr>
  )
}

/** A form's last lines: the server's refusal, the submit button (busy while saving) and Cancel. */
export function FormFooter({ error, busy, submitLabel, onCancel }: { error: unknown; busy: boolean; submitLabel: string; onCancel?: () => void }) {
  return (
    <>
      <ErrorNote error={error} />
      <div className="flex gap-2">
        <button type="submit" className="btn-primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </>
  )
}
