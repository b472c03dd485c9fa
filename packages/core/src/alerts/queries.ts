import { quoteIdent } from '../db/db.ts'

/** The SQL of alert rules and incidents (migrations/0005_alerts_audit.sql), built once per schema. */
export type AlertQueries = ReturnType<typeof buildAlertQueries>

export const RULE_COLUMNS = `id, name, kind, queue, type, threshold, window_ms, webhook_url, format, cooldown_ms, enabled,
  created_at, updated_at`
const EVENT_COLUMNS = `e.id, e.rule_id, r.name AS rule_name, r.kind AS rule_kind, e.state, e.value, e.message, e.fired_at,
  e.resolved_at, e.delivered_at, e.delivery_error`

export function buildAlertQueries(schema: string) {
  const s = quoteIdent(schema)
  const R = `${s}.alert_rules`
  const E = `${s}.alert_events`
  const J = `${s}.jobs`
  const columns = 'name, kind, queue, type, threshold, window_ms, webhook_url, format, cooldown_ms, enabled'
  const values = '$2, $3, $4, $5, $6, $7, $8, $9, $10, $11'
  return {
    alertRuleInsert: `INSERT INTO ${R} (id, ${columns}) VALUES ($1, ${values}) RETURNING ${RULE_COLUMNS}`,
    alertRuleUpdate: `UPDATE ${R} SET (${columns}, updated_at) = (${values}, now()) WHERE id = $1 RETURNING ${RULE_COLUMNS}`,
    alertRuleGet: `SELECT ${RULE_COLUMNS} FROM ${R} WHERE id = $1`,
    alertRuleList: `SELECT ${RULE_COLUMNS} FROM ${R} ORDER BY name`,
    alertRuleDelete: `DELETE FROM ${R} WHERE id = $1 RETURNING id`,

    /** $1 rule: its open incident, or its latest resolved one. */
    alertEventLatest: `SELECT ${EVENT_COLUMNS} FROM ${E} e JOIN ${R} r ON r.id = e.rule_id WHERE e.rule_id = $1
      ORDER BY (e.state = 'firing') DESC, e.fired_at DESC LIMIT 1`,
    /** $1 id, $2 rule, $3 value, $4 message. The partial unique index lets one process open it. */
    alertEventOpen: `INSERT INTO ${E} (id, rule_id, state, value, message) VALUES ($1, $2, 'firing', $3, $4)
      ON CONFLICT (rule_id) WHERE state = 'firing' DO NOTHING RETURNING id`,
    /** $1 id, $2 value, $3 message: a flapping rule's recent incident fires again, with what it says now. */
    alertEventReopen: `UPDATE ${E} SET state = 'firing', resolved_at = NULL, value = $2, message = $3 WHERE id = $1 AND state = 'resolved'
      AND NOT EXISTS (SELECT 1 FROM ${E} o WHERE o.rule_id = ${E}.rule_id AND o.state = 'firing') RETURNING id`,
    /** $1 rule: resolves its open incident; returns it if this call resolved it. */
    alertEventResolve: `UPDATE ${E} SET state = 'resolved', resolved_at = now() WHERE rule_id = $1 AND state = 'firing'
      RETURNING id, message`,
    /** $1 id, $2 error (NULL: delivered). */
    alertEventDelivered: `UPDATE ${E} SET delivered_at = CASE WHEN $2::text IS NULL THEN now() END, delivery_error = $2 WHERE id = $1`,
    /** $1 limit. */
    alertEventList: `SELECT ${EVENT_COLUMNS} FROM ${E} e JOIN ${R} r ON r.id = e.rule_id ORDER BY e.fired_at DESC LIMIT $1`,

    /** $1 window ms, $2 queue, $3 type: finished jobs and failures in the window. */
    alertFailureRate: `SELECT count(*) FILTER (WHERE status = 'failed')::int AS failed,
        count(*) FILTER (WHERE status IN ('completed', 'failed'))::int AS finished
      FROM ${J} WHERE completed_at >= now() - $1 * interval '1 millisecond'
        AND ($2::text IS NULL OR queue = $2) AND ($3::text IS NULL OR type = $3)`,
    /** $1 queue, $2 type: jobs ready to run and the age of the oldest, per queue. */
    alertPending: `SELECT queue, count(*)::int AS pending,
        floor(extract(epoch FROM now() - min(run_at)) * 1000)::bigint AS oldest_ms
      FROM ${J} WHERE status = 'pending' AND run_at <= now()
        AND ($1::text IS NULL OR queue = $1) AND ($2::text IS NULL OR type = $2) GROUP BY queue`,
    /** $1 seen within ms: queues some live worker serves. */
    alertServedQueues: `SELECT DISTINCT unnest(queues) AS queue FROM ${s}.workers
      WHERE last_seen_at > now() - $1 * interval '1 millisecond'`,
    /** $1 ms, $2 queue, $3 type: jobs running longer than that. */
    alertRunningLonger: `SELECT count(*)::int AS n FROM ${J} WHERE status = 'running'
      AND started_at < now() - $1 * interval '1 millisecond' AND ($2::text IS NULL OR queue = $2) AND ($3::text IS NULL OR type = $3)`,
  }
}
