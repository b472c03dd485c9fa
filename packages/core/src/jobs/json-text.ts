import { ConveyorError, ErrorCodes } from '../errors.ts'

/** An escaped backslash (kept), or the escape of a lone UTF-16 surrogate or of NUL (replaced). */
const ESCAPES = /\\\\|\\ud[89a-f][0-9a-f]{2}|\\u0000/g

/**
 * JSON text for a jsonb parameter that PostgreSQL accepts whatever strings the value holds.
 * JSON.stringify writes a lone surrogate — half of an emoji, left by cutting a string at a UTF-16
 * index — as an escape such as `\ud83d`, and PostgreSQL's JSON parser refuses it ("invalid input
 * syntax for type json"), failing the whole statement: with completions and progress written in
 * batches, one handler's odd string kept every job sharing its statement from completing. Each lone
 * surrogate becomes U+FFFD, as encoding the string to UTF-8 would make it. (Paired surrogates are
 * written as the characters themselves, so every such escape is a lone one.) NUL (`\u0000`), which
 * no PostgreSQL text or jsonb string can hold, becomes U+FFFD too.
 */
export function jsonText(value: unknown): string {
  return toJsonText(value).text
}

/** jsonText, saying whether it had to change a string (the value stored then differs from the value given). */
export function toJsonText(value: unknown): { text: string; changed: boolean } {
  let text: string
  try {
    text = JSON.stringify(value)
  } catch (err) {
    // JSON.stringify recurses: a value nested some thousands deep (a 10 KB request body can be)
    // overflows the stack. That is the caller's data, not a bug here.
    if (err instanceof RangeError) throw new ConveyorError(ErrorCodes.invalidInput, 'the JSON value is nested too deeply')
    throw err
  }
  if (!text.includes('\\ud') && !text.includes('\\u0000')) return { text, changed: false }
  const replaced = text.replace(ESCAPES, (m) => (m === '\\\\' ? m : '\\ufffd'))
  return { text: replaced, changed: replaced !== text }
}
