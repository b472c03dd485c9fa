/**
 * A time as a clock in `timeZone` shows it, with that zone's offset then: `2025-07-01 09:00:00 +01:00`.
 * Schedules fire by their zone's wall clock, so that is how their next runs read best.
 */
export function zonedTime(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(date)
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]))
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : String(p.timeZoneName).replace(/^GMT/, '').replace('\u2212', '-')
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${offset}`
}
