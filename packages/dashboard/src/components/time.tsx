import { formatAbsolute, formatDuration, formatInZone, formatRelative } from '../lib/format.ts'
import { useNow, usePrefs } from '../prefs.tsx'

/** A time shown relative to now, with the absolute time (in the chosen zone) on hover and for screen readers. */
export function When({ at, now: given }: { at: string | null | undefined; now?: number }) {
  const { tz } = usePrefs()
  const ticking = useNow(10_000)
  const now = given ?? ticking
  if (!at) return <span className="text-slate-400">—</span>
  const absolute = formatAbsolute(at, tz)
  return (
    <time dateTime={at} title={absolute} className="whitespace-nowrap">
      {formatRelative(at, now)}
    </time>
  )
}

/** An absolute time in the chosen zone. */
export function Absolute({ at }: { at: string | null | undefined }) {
  const { tz } = usePrefs()
  if (!at) return <span className="text-slate-400">—</span>
  return (
    <time dateTime={at} className="whitespace-nowrap tabular-nums">
      {formatAbsolute(at, tz)}
    </time>
  )
}

export function Duration({ ms }: { ms: number | null | undefined }) {
  return <span className="whitespace-nowrap tabular-nums">{formatDuration(ms)}</span>
}

/** An absolute time in a named IANA zone (a schedule's), whatever the viewer's choice. */
export function InZone({ at, zone }: { at: string | null | undefined; zone: string }) {
  if (!at) return <span className="text-slate-400">—</span>
  return (
    <time dateTime={at} className="whitespace-nowrap tabular-nums">
      {formatInZone(at, zone)}
    </time>
  )
}
