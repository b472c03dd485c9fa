/**
 * CSV as RFC 4180 writes it (quoted fields, "" inside quotes, CRLF or LF, line breaks inside quotes),
 * read incrementally: text goes in as it arrives, complete records come out, so a file of any size is
 * read in constant memory.
 */
export class CsvReader {
  #field = ''
  #record: string[] = []
  #quoted = false
  /** Inside a quoted field, a quote was just read: the field's end, or the first of "". */
  #quoteSeen = false
  /** The previous character was a CR ending a record: an LF right after it belongs to it. */
  #afterCr = false
  #started = false

  /** Reads more text; returns the records it completed. */
  push(text: string): string[][] {
    const out: string[][] = []
    let i = 0
    if (!this.#started && text.length > 0) {
      this.#started = true
      if (text.charCodeAt(0) === 0xfeff) i = 1 // a byte order mark is not part of the first field
    }
    for (; i < text.length; i++) {
      const c = text[i]!
      if (this.#afterCr) {
        this.#afterCr = false
        if (c === '\n') continue
      }
      if (this.#quoted) {
        if (this.#quoteSeen) {
          this.#quoteSeen = false
          if (c === '"') {
            this.#field += '"'
            continue
          }
          this.#quoted = false // the closing quote; this character is read as outside quotes
        } else {
          if (c === '"') this.#quoteSeen = true
          else this.#field += c
          continue
        }
      }
      if (c === ',') this.#endField()
      else if (c === '\n' || c === '\r') {
        this.#afterCr = c === '\r'
        out.push(this.#endRecord())
      } else if (c === '"' && this.#field === '') this.#quoted = true
      else this.#field += c
    }
    return out
  }

  /** The last record, when the text did not end with a line break. */
  end(): string[][] {
    if (this.#quoted && !this.#quoteSeen) throw new CsvError('the file ends inside a quoted field')
    this.#quoted = false
    this.#quoteSeen = false
    return this.#field !== '' || this.#record.length > 0 ? [this.#endRecord()] : []
  }

  #endField() {
    this.#record.push(this.#field)
    this.#field = ''
  }

  #endRecord(): string[] {
    this.#endField()
    const r = this.#record
    this.#record = []
    return r
  }
}

export class CsvError extends Error {
  override readonly name = 'CsvError'
}

/** One CSV line (with CRLF), quoting the fields that need it. */
export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return `${fields.map((f) => csvField(f)).join(',')}\r\n`
}

function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}
