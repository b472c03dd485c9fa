/**
 * @conveyor/contracts: the request and response schemas of Conveyor's HTTP API (zod) and their types.
 * The server validates with them, the OpenAPI document is generated from them, the client and the
 * dashboard are typed by them. Runs anywhere zod runs (no Node imports).
 */
export * from './access.ts'
export * from './alerts.ts'
export * from './audit.ts'
export * from './errors.ts'
export * from './files.ts'
export * from './health.ts'
export * from './job.ts'
export * from './jobs.ts'
export { LIMITS } from './limits.ts'
export * from './metrics.ts'
export * from './queues.ts'
export * from './routes.ts'
export * from './schedules.ts'
export * from './workers.ts'
