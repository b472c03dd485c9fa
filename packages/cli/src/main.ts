import { runCli } from './program.ts'
import { err } from './terminal.ts'

// `conveyor jobs list | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0)
  throw e
})

// The one place that reads process.env and argv; everything below gets them as arguments.
const status = await runCli(process.argv.slice(2), process.env)
process.exitCode = status

// A finished command leaves nothing running, so Node exits by itself. If something still holds the
// event loop (a bug), say so and exit rather than hang the user's terminal.
setTimeout(() => {
  err('conveyor: the command finished but something kept the process alive; exiting')
  process.exit(status)
}, 5000).unref()
