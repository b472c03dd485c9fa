import type { Conveyor, KeyStore } from '@conveyor/core'
import type { AuditRecorder } from './audit.ts'
import type { Authenticator } from './auth.ts'
import type { ClaimWaiter } from './claim-waiter.ts'
import type { ParsedConfig } from './config.ts'
import type { EventHub } from './event-hub.ts'
import type { Metrics } from './metrics.ts'
import type { RateLimiter } from './rate-limiter.ts'
import type { TokenSigner } from './tokens.ts'
import type { WorkerRegistry } from './worker-registry.ts'

/** What route handlers use: the engine and the server's services, built once by buildApp. */
export interface ServerContext {
  config: ParsedConfig
  conveyor: Conveyor
  keys: KeyStore
  auth: Authenticator
  /** Records the audit entries of succeeded changes (see the route table's `audit`). */
  audit: AuditRecorder
  tokens: TokenSigner
  hub: EventHub
  metrics: Metrics
  claims: ClaimWaiter
  workers: WorkerRegistry
  /** Enqueue rate limits; null: unlimited. */
  limits: { key: RateLimiter | null; token: RateLimiter | null }
  /** Open event streams, ended when the server closes. */
  streams: Set<() => void>
}
