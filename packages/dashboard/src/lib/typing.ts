/** True when a key press belongs to a text field (shortcuts must not steal it). */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as { tagName?: unknown }).tagName !== 'string') return false
  const el = target as unknown as { tagName: string; isContentEditable?: boolean; type?: string }
  if (el.isContentEditable) return true
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true
  if (el.tagName !== 'INPUT') return false
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(el.type ?? 'text')
}
