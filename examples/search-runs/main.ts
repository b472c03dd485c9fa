import { runExample } from '../app-kit/run-example.ts'
import { startSearchRuns } from './src/app.ts'
import { hasPython, PYTHON_WORKER, startPythonWorker } from './src/python-worker.ts'
import { DEMO_USERS } from './src/users.ts'

await runExample('search-runs', {}, async (conveyor, ports) => {
  const example = await startSearchRuns(conveyor, { ...ports, users: () => DEMO_USERS })
  // The searches run in Python, as in the seed: a worker key for it, then the worker as a child process.
  const { key } = await example.admin.createKey({ name: 'python search worker', role: 'worker' })
  if (!hasPython()) {
    console.log(`python3 is not on the PATH: run the search worker yourself:\n  python3 ${PYTHON_WORKER} --server ${example.apiUrl} --key ${key} --queue searches`)
    return example
  }
  // Claims wait at most 5 s on the server, so Ctrl-C ends the worker within that (its running searches finish first).
  const python = startPythonWorker(example.apiUrl, key, ['--concurrency', '4', '--wait-ms', '5000'])
  let closing = false
  void python.exited.then(({ code }) => {
    if (!closing) console.log(`the Python worker exited (status ${code}): searches wait until a worker runs`)
  })
  return {
    ...example,
    close: async () => {
      closing = true
      await python.stop()
      await example.close()
    },
  }
})
