import { type FileStore, type Handler, PermanentError } from '@conveyor/core'
import { type ColumnSummary, ColumnStats, SUMMARY_HEADER } from './column-stats.ts'
import { CsvError, CsvReader, csvLine } from '../../app-kit/csv.ts'
import { RESULT_FILE } from './settings.ts'

/** What an analysis job returns (its result); the full table is the attached result file. */
export interface AnalysisResult {
  file: string
  rows: number
  columns: number
  resultFile: string
  /** The first SUMMARY_COLUMNS columns' statistics, for showing on the page. */
  summary: ColumnSummary[]
}

const SUMMARY_COLUMNS = 50
/** Bytes parsed between two progress reports and two checks of the job's signal. */
const SLICE_BYTES = 64 * 1024

/**
 * The `analyse` handler: streams the job's uploaded CSV from the database, computes each column's
 * statistics in one pass (progress by bytes read), and attaches them as a CSV. A file that is not
 * CSV fails at once (PermanentError): running it again would not help.
 */
export function analyseHandler(files: FileStore): Handler<unknown, AnalysisResult> {
  return async (job, ctx) => {
    const input = (await files.list(job.id)).find((f) => f.kind === 'input')
    if (!input) throw new PermanentError('no file was uploaded with this job')

    const reader = new CsvReader()
    const decoder = new TextDecoder('utf-8')
    let columns: ColumnStats[] | null = null
    let rows = 0
    const take = (records: string[][]) => {
      for (const record of records) {
        if (!columns) {
          columns = record.map((name, i) => new ColumnStats(name.trim() || `column ${i + 1}`))
          continue
        }
        if (record.length === 1 && record[0]!.trim() === '') continue // a blank line
        rows++
        for (let i = 0; i < columns.length; i++) columns[i]!.add(record[i])
      }
    }

    let read = 0
    let reported = -1
    const report = () => {
      const pct = input.size === 0 ? 100 : Math.floor((read / input.size) * 98)
      if (pct === reported) return
      reported = pct
      // Not awaited: progress writes are coalesced, and waiting for each would slow the reading down.
      ctx.progress(pct, `${rows.toLocaleString('en')} rows read`).catch((err: unknown) => ctx.log.warn({ err }, 'progress not written'))
    }
    try {
      for await (const chunk of files.stream(input) as AsyncIterable<Buffer>) {
        for (let off = 0; off < chunk.length; off += SLICE_BYTES) {
          ctx.signal.throwIfAborted() // cancelled, timed out or shutting down
          const part = chunk.subarray(off, off + SLICE_BYTES)
          take(reader.push(decoder.decode(part, { stream: true })))
          read += part.length
          report()
        }
      }
      take(reader.push(decoder.decode()))
      take(reader.end())
    } catch (err) {
      if (err instanceof CsvError) throw new PermanentError(`${input.name} is not valid CSV: ${err.message}`)
      throw err
    }
    const found = columns as ColumnStats[] | null
    if (!found) throw new PermanentError(`${input.name} is empty: a CSV needs a header row`)

    await ctx.progress(99, 'writing the result')
    const summary = found.map((c) => c.summary())
    const table = csvLine(SUMMARY_HEADER) + summary.map((s) => csvLine(SUMMARY_HEADER.map((k) => s[k]))).join('')
    await ctx.attach(RESULT_FILE, table, 'text/csv; charset=utf-8')
    return { file: input.name, rows, columns: summary.length, resultFile: RESULT_FILE, summary: summary.slice(0, SUMMARY_COLUMNS) }
  }
}
