import { useEffect, useRef } from 'react'
import { isTyping } from './lib/typing.ts'

/**
 * Single-key shortcuts (`j`, `k`, `r`, …) while the component is mounted. Keys typed into a text
 * field, or pressed with Ctrl, Alt or Meta, are left alone; a dialog open on the page suspends them.
 */
export function useShortcuts(handlers: Record<string, (e: KeyboardEvent) => void>): void {
  const ref = useRef(handlers)
  useEffect(() => {
    ref.current = handlers
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented || isTyping(e.target)) return
      if (document.querySelector('dialog[open]')) return
      const h = ref.current[e.key]
      if (h) {
        e.preventDefault()
        h(e)
      }
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])
}
