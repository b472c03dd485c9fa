/** The settings of the file-analysis example, in one place (the page imports these too: no server code here). */

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/** An analysis that runs longer than this is stopped and fails (seed 002's 10-minute limit). */
export const ANALYSIS_TIMEOUT_MS = 10 * MINUTE

/** Finished analyses, with their uploaded and result files, are deleted this long after they end. */
export const FINISHED_RETENTION_MS = DAY

/** The cleaner's retention for Conveyor.open({ maintenance }): completed, failed and cancelled jobs after a day. */
export const RETENTION = { completed: FINISHED_RETENTION_MS, failed: FINISHED_RETENTION_MS, cancelled: FINISHED_RETENTION_MS }

/** The job type the analyse handler runs. */
export const ANALYSE = 'analyse'

/** The result file's name. */
export const RESULT_FILE = 'column-stats.csv'
