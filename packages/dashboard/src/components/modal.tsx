import { type ReactNode, useEffect, useRef } from 'react'

/** A modal on the native <dialog>: focus stays inside, Escape closes it (through onClose). */
export function Modal({ labelledBy, onClose, children, width = '28rem' }: { labelledBy: string; onClose(): void; children: ReactNode; width?: '28rem' | '30rem' }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = ref.current
    if (d && !d.open) d.showModal()
    return () => d?.close()
  }, [])
  return (
    <dialog
      ref={ref}
      aria-labelledby={labelledBy}
      className={`m-auto ${width === '28rem' ? 'w-[min(28rem,calc(100vw-2rem))]' : 'w-[min(30rem,calc(100vw-2rem))]'} rounded-lg bg-white p-5 text-slate-900 shadow-xl backdrop:bg-black/40 dark:bg-slate-900 dark:text-slate-100`}
      onCancel={(e) => {
        e.preventDefault()
        onClose()
      }}
    >
      {children}
    </dialog>
  )
}
