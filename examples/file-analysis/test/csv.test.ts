import { describe, expect, it } from 'vitest'
import { CsvError, CsvReader, csvLine } from '../../app-kit/csv.ts'
import { CITIES_CSV } from './fixtures.ts'

function read(...parts: string[]): string[][] {
  const reader = new CsvReader()
  return [...parts.flatMap((p) => reader.push(p)), ...reader.end()]
}

const TRICKY = 'a,"b\r\nc","d""e"\r\n"",x,\n"last ""one""",,"\r"'

describe('the CSV reader', () => {
  it('reads quoted fields, "" inside quotes, line breaks inside quotes, CRLF and LF, a byte order mark and a missing final line break', () => {
    expect(read(TRICKY)).toEqual([
      ['a', 'b\r\nc', 'd"e'],
      ['', 'x', ''],
      ['last "one"', '', '\r'],
    ])
    expect(read(CITIES_CSV)[0]).toEqual(['city', 'population', 'area', 'note'])
    expect(read(CITIES_CSV)[4]).toEqual(['', '100'])
  })

  it('reads the same records however the text is split into chunks', () => {
    for (const text of [TRICKY, CITIES_CSV]) {
      const whole = read(text)
      for (let i = 0; i <= text.length; i++) expect(read(text.slice(0, i), text.slice(i)), `split at ${i}`).toEqual(whole)
      expect(read(...text.split(''))).toEqual(whole)
    }
  })

  it('refuses a file that ends inside a quoted field', () => {
    expect(() => read('a,"open\n')).toThrow(CsvError)
  })

  it('writes what it reads back', () => {
    const rows = [['plain', 'with, comma', 'with "quote"', 'line\nbreak', '']]
    expect(read(rows.map((r) => csvLine(r)).join(''))).toEqual(rows)
    expect(csvLine(['a', 1, null, undefined])).toBe('a,1,,\r\n')
  })
})
