import type { ReactNode } from 'react'
import { Modal } from './modal.tsx'

/**
 * A modal confirmation (Escape cancels). The confirming button is focused first only for actions
 * that are not destructive.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  cancelLabel = 'Keep them',
  destructive,
  busy,
  onConfirm,
  onCancel,
}: {
  title: string
  children: ReactNode
  confirmLabel: string
  cancelLabel?: string
  destructive?: boolean
  busy?: boolean
  onConfirm(): void
  onCancel(): void
}) {
  return (
    <Modal labelledBy="confirm-title" onClose={onCancel}>
      <h2 id="confirm-title" className="mb-2 text-lg font-semibold">
        {title}
      </h2>
      <div className="mb-4 text-sm">{children}</div>
      <div className="flex justify-end gap-2">
        <button type="button" className="btn" onClick={onCancel} autoFocus={destructive}>
          {cancelLabel}
        </button>
        <button type="button" className={destructive ? 'btn-danger' : 'btn-primary'} disabled={busy} onClick={onConfirm} autoFocus={!destructive}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Modal>
  )
}
