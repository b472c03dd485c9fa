/** The settings of the project-jobs example (the page imports these too: no server code here). */

/** Project jobs have a queue of their own. */
export const PROJECT_QUEUE = 'projects'

/** The job types of seed 004, with the names its dashboard shows. */
export const JOB_TYPES = {
  import: 'Import',
  export: 'Export',
  validation: 'Validation',
  'test-run': 'Test run',
} as const
export type ProjectJobType = keyof typeof JOB_TYPES

/** The projects of the demo: in a real app, the projects table. */
export const DEMO_PROJECTS = [
  { id: 'apollo', name: 'Apollo' },
  { id: 'gemini', name: 'Gemini' },
] as const

/** Time per step of the demo's simulated work, so that progress bars have something to show. */
export const DEMO_STEP_MS = 150
