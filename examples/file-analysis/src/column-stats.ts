/** A column's statistics, as the result CSV and the job's result show them. */
export interface ColumnSummary {
  column: string
  /** numeric: every non-empty value is a number; text: some are not; empty: no values at all. */
  kind: 'numeric' | 'text' | 'empty'
  /** Non-empty values. */
  count: number
  /** Empty (or whitespace-only) values, missing fields of short rows included. */
  empty: number
  min: number | null
  max: number | null
  mean: number | null
  /** Distinct non-empty values (text columns); null past DISTINCT_LIMIT, or for numeric columns. */
  distinct: number | null
}

/** Distinct values remembered per column: beyond it the count is reported as unknown, memory stays bounded. */
export const DISTINCT_LIMIT = 100_000

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** Accumulates one column's values in one pass. */
export class ColumnStats {
  count = 0
  empty = 0
  #numeric = true
  #min = Infinity
  #max = -Infinity
  #sum = 0
  #distinct: Set<string> | null = new Set()

  constructor(readonly column: string) {}

  add(raw: string | undefined): void {
    const value = raw?.trim() ?? ''
    if (value === '') {
      this.empty++
      return
    }
    this.count++
    if (this.#distinct) {
      this.#distinct.add(value)
      if (this.#distinct.size > DISTINCT_LIMIT) this.#distinct = null
    }
    if (!this.#numeric) return
    if (!NUMBER.test(value)) {
      this.#numeric = false
      return
    }
    const n = Number(value)
    this.#sum += n
    if (n < this.#min) this.#min = n
    if (n > this.#max) this.#max = n
  }

  summary(): ColumnSummary {
    const kind = this.count === 0 ? 'empty' : this.#numeric ? 'numeric' : 'text'
    const numeric = kind === 'numeric'
    return {
      column: this.column,
      kind,
      count: this.count,
      empty: this.empty,
      min: numeric ? this.#min : null,
      max: numeric ? this.#max : null,
      // Rounded so that 0.1 + 0.2 shows as 0.3: six decimals are plenty for a summary.
      mean: numeric ? Math.round((this.#sum / this.count) * 1e6) / 1e6 : null,
      distinct: kind === 'text' && this.#distinct ? this.#distinct.size : null,
    }
  }
}

export const SUMMARY_HEADER = ['column', 'kind', 'count', 'empty', 'min', 'max', 'mean', 'distinct'] as const
