import cronstrue from 'cronstrue'

/**
 * A cron expression in words, 24-hour clock: `0 9 * * 1-5` → `Every weekday at 09:00`. cronstrue
 * does the reading; the commonest shapes are reworded the way people say them ("At 09:00, Monday
 * through Friday" reads as a list of conditions). An expression it can't read is shown as it is.
 */
export function describeCron(cron: string): string {
  let text: string
  try {
    text = cronstrue.toString(cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true })
  } catch {
    return `cron “${cron}”`
  }
  const at = /^At (\d\d:\d\d(?::\d\d)?)(?:, (.+))?$/.exec(text)
  if (at) {
    const [, time, days] = at
    if (days === undefined) return `Every day at ${time}`
    if (days === 'Monday through Friday') return `Every weekday at ${time}`
    const only = /^only on (\w+day)$/.exec(days)
    if (only) return `Every ${only[1]} at ${time}`
  }
  return text
}

/** A schedule in words with its zone: `Every weekday at 09:00, Europe/London`. */
export function describeSchedule(cron: string, timezone: string): string {
  return `${describeCron(cron)}, ${timezone}`
}
