import { Modal } from './modal.tsx'

export const SHORTCUTS: [string, string][] = [
  ['/', 'search jobs'],
  ['j / k', 'next / previous job in the list'],
  ['Enter', 'open the selected job'],
  ['x', 'select the current row'],
  ['r', 'retry the selected (or open) job'],
  ['g then o / j / q / w / e', 'go to overview, jobs, queues, workers, enqueue'],
  ['g then s / m / f / a / l', 'go to schedules, metrics, errors (failures), alerts, audit log'],
  ['?', 'show this list'],
  ['Esc', 'close a dialog, leave the search box'],
]

export function ShortcutsHelp({ onClose }: { onClose(): void }) {
  return (
    <Modal labelledBy="shortcuts-title" onClose={onClose} width="30rem">
      <h2 id="shortcuts-title" className="mb-3 text-lg font-semibold">
        Keyboard shortcuts
      </h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} className="contents">
            <dt>
              <kbd className="kbd">{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <div className="mt-4 text-right">
        <button type="button" className="btn" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Modal>
  )
}
