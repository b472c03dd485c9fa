import { runExample } from '../app-kit/run-example.ts'
import { startFileAnalysis } from './src/app.ts'
import { RETENTION } from './src/settings.ts'

// Finished analyses are deleted after 24 hours by the cleaner (every process running maintenance).
await runExample('file-analysis', { maintenance: { retentionMs: RETENTION } }, (conveyor, ports) => startFileAnalysis(conveyor, ports))
