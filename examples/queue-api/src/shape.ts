/**
 * Checks of an answer's shape, as seed 001's document shows it. Each check adds a problem to a list
 * instead of throwing, so one call reports everything that is wrong with its answer.
 */

export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'uuid' | 'time' | 'null'
/** One type, or several separated by "|": 'time|null'. */
export type FieldSpec = `${FieldType}` | `${FieldType}|${FieldType}`

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function is(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'null':
      return value === null
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
    case 'uuid':
      return typeof value === 'string' && UUID.test(value)
    case 'time':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value)
  }
}

export class Problems {
  readonly list: string[] = []

  /** Records `message` unless `ok`. */
  expect(ok: boolean, message: string): void {
    if (!ok) this.list.push(message)
  }

  /** Each named field is present with one of its types; `where` names the object in messages. */
  fields(value: unknown, spec: Record<string, FieldSpec>, where: string): void {
    if (!is(value, 'object')) return void this.list.push(`${where} is not an object: ${JSON.stringify(value)?.slice(0, 200)}`)
    const obj = value as Record<string, unknown>
    for (const [name, types] of Object.entries(spec)) {
      if (!(name in obj)) this.list.push(`${where}.${name} is missing`)
      else if (!types.split('|').some((t) => is(obj[name], t as FieldType)))
        this.list.push(`${where}.${name} should be ${types.replace('|', ' or ')}, is ${JSON.stringify(obj[name])?.slice(0, 120)}`)
    }
  }

  /** `actual` equals `expected` (compared as JSON, whatever the order of object keys: jsonb keeps its own). */
  equal(actual: unknown, expected: unknown, what: string): void {
    if (canonical(actual) !== canonical(expected)) this.list.push(`${what} should be ${JSON.stringify(expected)}, is ${JSON.stringify(actual)?.slice(0, 200)}`)
  }
}

function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    is(v, 'object') ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  )
}
