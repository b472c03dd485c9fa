import { quoteIdent } from '../db/db.ts'
import { BUCKET_COUNT } from './buckets.ts'

/**
 * The SQL of metrics (migrations/0004_metrics.sql) and error groups, named noun-first, built once per
 * schema. Values are $n parameters; besides the quoted schema, only array indexes generated from
 * BUCKET_COUNT are interpolated.
 */
export type MetricsQueries = ReturnType<typeof buildMetricsQueries>

const idx = Array.from({ length: BUCKET_COUNT }, (_, i) => i)
/** ARRAY[count of rows whose width_bucket(expr, bounds) = 0, … = 1, …] */
const histogram = (expr: string, boundsParam: string) =>
  `ARRAY[${idx.map((i) => `count(*) FILTER (WHERE width_bucket(${expr}, ${boundsParam}::bigint[]) = ${i})::int`).join(', ')}]`
/** ARRAY[sum(col[1]), sum(col[2]), …]: element-wise sum of histograms. */
const sumArrays = (col: string) => `ARRAY[${idx.map((i) => `coalesce(sum(${col}[${i + 1}]), 0)::int`).join(', ')}]`
/** Element-wise a + b of two histograms. */
const addArrays = (a: string, b: string) => `ARRAY(SELECT coalesce(x, 0) + coalesce(y, 0) FROM unnest(${a}, ${b}) AS t(x, y))`

const SUMS = `sum(enqueued)::int AS enqueued, sum(completed)::int AS completed, sum(failed)::int AS failed,
  sum(cancelled)::int AS cancelled, sum(duration_count)::int AS duration_count,
  sum(duration_total_ms)::bigint AS duration_total_ms, max(duration_max_ms)::bigint AS duration_max_ms,
  ${sumArrays('duration_buckets')} AS duration_buckets, sum(wait_count)::int AS wait_count,
  sum(wait_total_ms)::bigint AS wait_total_ms, max(wait_max_ms)::bigint AS wait_max_ms,
  ${sumArrays('wait_buckets')} AS wait_buckets`

/**
 * An error's name, and its message with ids, quoted text and numbers folded: what groups failures.
 * A single quote opens quoted text only where a word does not go on through it: the apostrophes of
 * "can't … won't" quoted everything between them, and unrelated errors fell into one group.
 */
const ERROR_NAME = `coalesce(last_error->>'name', 'Error')`
const ERROR_SHAPE = `regexp_replace(regexp_replace(regexp_replace(regexp_replace(coalesce(last_error->>'message', ''),
  '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'gi'),
  '"[^"]*"', '<text>', 'g'), '(^|[^[:alnum:]])''[^'']*''([^[:alnum:]]|$)', '\\1<text>\\2', 'g'), '[0-9]+', '<n>', 'g')`

export function buildMetricsQueries(schema: string) {
  const s = quoteIdent(schema)
  const J = `${s}.jobs`
  const M = `${s}.metrics_minute`
  const H = `${s}.metrics_hour`
  return {
    /** Where the next rollup starts: a little before the newest minute rolled up (or a day back). */
    metricsRollupStart: `SELECT coalesce((SELECT max(bucket) FROM ${M}), date_trunc('minute', now()) - interval '1 day')
      - interval '2 minutes' AS start`,
    /**
     * Recomputes every minute from $1 on, from the jobs table, and replaces those rollup rows.
     * $2 the bucket bounds.
     */
    metricsRollup: `WITH enq AS (
        SELECT date_trunc('minute', created_at) AS bucket, queue, type, count(*)::int AS enqueued
        FROM ${J} WHERE created_at >= $1 GROUP BY 1, 2, 3
      ), fin AS (
        SELECT date_trunc('minute', completed_at) AS bucket, queue, type, status,
          CASE WHEN started_at IS NOT NULL AND status IN ('completed', 'failed')
            THEN greatest(0, floor(extract(epoch FROM completed_at - started_at) * 1000))::bigint END AS dur,
          CASE WHEN started_at IS NOT NULL
            THEN greatest(0, floor(extract(epoch FROM started_at - run_at) * 1000))::bigint END AS wait
        FROM ${J} WHERE completed_at >= $1
      ), fin_agg AS (
        SELECT bucket, queue, type,
          count(*) FILTER (WHERE status = 'completed')::int AS completed,
          count(*) FILTER (WHERE status = 'failed')::int AS failed,
          count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
          count(dur)::int AS duration_count, coalesce(sum(dur), 0)::bigint AS duration_total_ms,
          coalesce(max(dur), 0)::bigint AS duration_max_ms, ${histogram('dur', '$2')} AS duration_buckets,
          count(wait)::int AS wait_count, coalesce(sum(wait), 0)::bigint AS wait_total_ms,
          coalesce(max(wait), 0)::bigint AS wait_max_ms, ${histogram('wait', '$2')} AS wait_buckets
        FROM fin GROUP BY 1, 2, 3
      )
      INSERT INTO ${M} AS m (bucket, queue, type, enqueued, completed, failed, cancelled, duration_count,
        duration_total_ms, duration_max_ms, duration_buckets, wait_count, wait_total_ms, wait_max_ms, wait_buckets)
      SELECT coalesce(e.bucket, f.bucket), coalesce(e.queue, f.queue), coalesce(e.type, f.type),
        coalesce(e.enqueued, 0), coalesce(f.completed, 0), coalesce(f.failed, 0), coalesce(f.cancelled, 0),
        coalesce(f.duration_count, 0), coalesce(f.duration_total_ms, 0), coalesce(f.duration_max_ms, 0),
        coalesce(f.duration_buckets, '{}'), coalesce(f.wait_count, 0), coalesce(f.wait_total_ms, 0),
        coalesce(f.wait_max_ms, 0), coalesce(f.wait_buckets, '{}')
      FROM enq e FULL OUTER JOIN fin_agg f ON e.bucket = f.bucket AND e.queue = f.queue AND e.type = f.type
      ON CONFLICT (bucket, queue, type) DO UPDATE SET enqueued = EXCLUDED.enqueued, completed = EXCLUDED.completed,
        failed = EXCLUDED.failed, cancelled = EXCLUDED.cancelled, duration_count = EXCLUDED.duration_count,
        duration_total_ms = EXCLUDED.duration_total_ms, duration_max_ms = EXCLUDED.duration_max_ms,
        duration_buckets = EXCLUDED.duration_buckets, wait_count = EXCLUDED.wait_count,
        wait_total_ms = EXCLUDED.wait_total_ms, wait_max_ms = EXCLUDED.wait_max_ms, wait_buckets = EXCLUDED.wait_buckets`,
    /** Folds minutes older than $1 ms into hours; hours older than $2 ms are dropped. */
    metricsFold: `WITH old AS (
        DELETE FROM ${M} WHERE bucket < now() - $1 * interval '1 millisecond' RETURNING *
      ), folded AS (
        INSERT INTO ${H} AS h SELECT date_trunc('hour', bucket), queue, type, ${SUMS} FROM old GROUP BY 1, 2, 3
        ON CONFLICT (bucket, queue, type) DO UPDATE SET enqueued = h.enqueued + EXCLUDED.enqueued,
          completed = h.completed + EXCLUDED.completed, failed = h.failed + EXCLUDED.failed,
          cancelled = h.cancelled + EXCLUDED.cancelled, duration_count = h.duration_count + EXCLUDED.duration_count,
          duration_total_ms = h.duration_total_ms + EXCLUDED.duration_total_ms,
          duration_max_ms = greatest(h.duration_max_ms, EXCLUDED.duration_max_ms),
          duration_buckets = ${addArrays('h.duration_buckets', 'EXCLUDED.duration_buckets')},
          wait_count = h.wait_count + EXCLUDED.wait_count, wait_total_ms = h.wait_total_ms + EXCLUDED.wait_total_ms,
          wait_max_ms = greatest(h.wait_max_ms, EXCLUDED.wait_max_ms),
          wait_buckets = ${addArrays('h.wait_buckets', 'EXCLUDED.wait_buckets')}
        RETURNING 1
      ), gone AS (DELETE FROM ${H} WHERE bucket < now() - $2 * interval '1 millisecond' RETURNING 1)
      SELECT (SELECT count(*) FROM folded) AS folded, (SELECT count(*) FROM gone) AS dropped`,
    /**
     * A time series over the last $1 ms in steps of $2 ms, from minutes and folded hours:
     * $3 queue, $4 type (NULL: all).
     */
    metricsSeries: `WITH rows AS (
        SELECT * FROM ${M} WHERE bucket >= now() - $1 * interval '1 millisecond'
        UNION ALL SELECT * FROM ${H} WHERE bucket >= now() - $1 * interval '1 millisecond'
      )
      SELECT date_bin($2 * interval '1 millisecond', bucket, TIMESTAMPTZ '2000-01-01') AS at, ${SUMS}
      FROM rows WHERE ($3::text IS NULL OR queue = $3) AND ($4::text IS NULL OR type = $4)
      GROUP BY 1 ORDER BY 1`,
    /** Totals by type over the last $1 ms: $2 queue, $3 type. */
    metricsByType: `WITH rows AS (
        SELECT * FROM ${M} WHERE bucket >= now() - $1 * interval '1 millisecond'
        UNION ALL SELECT * FROM ${H} WHERE bucket >= now() - $1 * interval '1 millisecond'
      )
      SELECT type, ${SUMS} FROM rows WHERE ($2::text IS NULL OR queue = $2) AND ($3::text IS NULL OR type = $3)
      GROUP BY type ORDER BY type`,
    /**
     * Failures of the last $1 ms grouped by error name and message shape (numbers, ids and quoted text
     * folded), with a sample job: $2 queue, $3 type, $4 limit.
     */
    errorGroups: `WITH f AS (
        SELECT id, type, queue, completed_at, ${ERROR_NAME} AS name, ${ERROR_SHAPE} AS shape,
          last_error->>'message' AS message
        FROM ${J}
        WHERE status = 'failed' AND completed_at >= now() - $1 * interval '1 millisecond'
          AND ($2::text IS NULL OR queue = $2) AND ($3::text IS NULL OR type = $3)
      )
      SELECT name, shape, count(*)::int AS count, min(completed_at) AS first_seen, max(completed_at) AS last_seen,
        (array_agg(id ORDER BY completed_at DESC))[1] AS sample_job_id,
        (array_agg(message ORDER BY completed_at DESC))[1] AS sample_message,
        array_agg(DISTINCT type) AS types
      FROM f GROUP BY name, shape ORDER BY count(*) DESC, max(completed_at) DESC LIMIT $4`,
    /**
     * The failed jobs of one error group ("retry all in this group"): $1 name, $2 shape, $3 queue,
     * $4 type, $5 window ms (NULL: whenever they failed).
     */
    errorGroupJobIds: `SELECT id FROM ${J}
      WHERE status = 'failed' AND ($5::bigint IS NULL OR completed_at >= now() - $5 * interval '1 millisecond')
        AND ($3::text IS NULL OR queue = $3) AND ($4::text IS NULL OR type = $4)
        AND ${ERROR_NAME} = $1 AND ${ERROR_SHAPE} = $2`,
  }
}
