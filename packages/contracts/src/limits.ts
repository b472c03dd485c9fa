/**
 * Bounds of the HTTP API. The engine enforces the same ones (core's LIMITS and the CHECK constraints
 * of its migrations); they are repeated here because this package must run in browsers, with no
 * dependency on the engine.
 */
export const LIMITS = {
  name: 128,
  jobName: 256,
  key: 256,
  source: 64,
  priority: 1_000_000,
  maxAttempts: 1000,
  timeoutMs: 2_147_483_647,
  backoffDelayMs: 3_600_000,
  delayMs: 10 * 365 * 24 * 3600 * 1000,
  progressMessage: 1000,
  search: 200,
  /** A list answers at most this many jobs; larger limits are clamped to it. */
  listLimit: 500,
  listDefault: 50,
  /** Jobs per POST /api/jobs/batch. */
  batch: 1000,
  /** Ids per bulk action (a JSON body). */
  ids: 1000,
  /**
   * Ids per event-stream filter. They travel in the URL (EventSource can only GET), and Node refuses
   * a request line and headers over 16 KB (431) before any route runs: an id costs 39 bytes as the
   * client sends it (36 and an encoded comma, `%2C`), so 250 take 9.75 KB and leave room for a user
   * token in `?token=` and a browser's headers and cookies. More jobs: several streams, or none (all of
   * the caller's jobs, filtered by queue or type).
   */
  eventIds: 250,
  /** Jobs per claim. */
  claim: 100,
  leaseMs: 3_600_000,
  /** Longest long-poll of a claim. */
  waitMs: 60_000,
  tokenTtlSeconds: 7 * 24 * 3600,
  /** Uploaded files attached to one job at enqueue. */
  filesPerJob: 20,
} as const
