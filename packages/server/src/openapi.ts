import { errorBodySchema, jobEventSchema, ROUTES, type RouteDef } from '@conveyor/contracts'
import { z } from 'zod'
import { ACCESS } from './access.ts'

type JsonSchema = Record<string, unknown>

/**
 * The OpenAPI 3.1 document, generated from the contracts' route table and zod schemas (the same ones
 * the server validates with) and the access table. Named schemas (meta id) become components.
 */
export function buildOpenApiDocument(version = '0.1.0'): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {}
  const toJson = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const { $schema: _s, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>
    }
    for (const [name, def] of Object.entries($defs ?? {})) components[name] = relink(def)
    return relink(rest)
  }

  const paths: Record<string, Record<string, unknown>> = {}
  for (const [id, route] of Object.entries(ROUTES) as [keyof typeof ROUTES, RouteDef][]) {
    const path = route.path.replace(/:(\w+)/g, '{$1}')
    const allowed = ACCESS[id]
    const parameters = [
      ...parametersOf(route.params, 'path', toJson),
      ...parametersOf(route.query, 'query', toJson),
    ]
    const ok = String(route.status ?? 200)
    const success = route.response
      ? { description: 'OK', content: { 'application/json': { schema: toJson(route.response, 'output') } } }
      : { description: 'OK', content: { [route.produces ?? 'text/plain']: { schema: { type: 'string' } } } }
    const operation: Record<string, unknown> = {
      operationId: id,
      summary: route.summary,
      description: [
        route.description,
        allowed === 'public' ? 'No credential needed.' : `Allowed: ${allowed.map(roleName).join(', ')}.`,
        route.audit ? `Recorded in the audit log as \`${route.audit}\`.` : undefined,
      ]
        .filter(Boolean)
        .join('\n\n'),
      tags: [route.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJson(route.body, 'input') } } } } : {}),
      ...(route.rawBody
        ? { requestBody: { required: true, description: 'the raw bytes, with their Content-Type', content: { [route.rawBody]: { schema: { type: 'string', format: 'binary' } } } } }
        : {}),
      responses: {
        [ok]: success,
        ...(id.startsWith('enqueueJob') ? { '200': { ...success, description: 'A duplicate: the earlier job with the same idempotency key' } } : {}),
        default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
      security: allowed === 'public' ? [] : id === 'events' ? [{ bearer: [] }, { queryToken: [] }] : [{ bearer: [] }],
    }
    paths[path] ??= {}
    paths[path][route.method.toLowerCase()] = operation
  }
  toJson(errorBodySchema, 'output')
  toJson(jobEventSchema, 'output') // the data of each `event: job` of GET /api/events

  return {
    openapi: '3.1.0',
    info: {
      title: 'Conveyor',
      version,
      description:
        'Durable background jobs. Send `Authorization: Bearer KEY` (an API key or a user token) on every /api call. ' +
        'Errors answer `{ "error": { "code", "message", "details"? } }`; a job the caller may not see answers 404.',
    },
    tags: [
      { name: 'jobs' },
      { name: 'files', description: "Files in and out of jobs: upload, then enqueue with `files: [id]`; list and download a job's files." },
      { name: 'workers', description: 'Workers over HTTP, in any language: claim, heartbeat, progress, complete, fail; cancel requests as they happen.' },
      { name: 'queues' },
      { name: 'schedules', description: 'Cron schedules in a time zone; each tick enqueues one job, exactly once.' },
      { name: 'metrics', description: 'Throughput, success rate, durations and grouped errors (Prometheus metrics: GET /metrics).' },
      { name: 'alerts', description: 'Alert rules with webhook delivery, and their incident history.' },
      { name: 'audit', description: 'Who changed what through the API.' },
      { name: 'access', description: 'API keys and user tokens.' },
      { name: 'events' },
      { name: 'health' },
    ],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (cvk_…) or a user token (cvt_…)' },
        queryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'GET /api/events only (EventSource cannot send headers)' },
      },
    },
  }
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query', toJson: (s: z.ZodType, io: 'input') => JsonSchema) {
  if (!schema) return []
  const json = toJson(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] }
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }))
}

/** References between named schemas point at the document's components. */
function relink(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema
}

function roleName(role: string): string {
  return role === 'user' ? 'user token' : `${role} key`
}
