import { runExample } from '../app-kit/run-example.ts'
import { startProjectJobs } from './src/app.ts'
import { ProjectStore } from './src/project-store.ts'
import { DEMO_STEP_MS } from './src/settings.ts'

await runExample('project-jobs', {}, (conveyor, ports) => startProjectJobs(conveyor, { ...ports, store: new ProjectStore(), stepMs: DEMO_STEP_MS }))
