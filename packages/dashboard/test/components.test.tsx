import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ConfirmDialog } from '../src/components/confirm-dialog.tsx'
import { JsonView } from '../src/components/json-view.tsx'
import { ProgressBar } from '../src/components/progress-bar.tsx'
import { STATUS_LOOK, StatusBadge } from '../src/components/status-badge.tsx'
import { STATUSES } from '../src/lib/filters.ts'

describe('StatusBadge', () => {
  it('shows every status as a symbol and a word, never by colour alone', () => {
    const symbols = new Set<string>()
    for (const s of STATUSES) {
      const html = renderToStaticMarkup(<StatusBadge status={s} />)
      expect(html).toContain(`>${s}<`)
      expect(html).toContain(STATUS_LOOK[s].symbol)
      symbols.add(STATUS_LOOK[s].symbol)
    }
    expect(symbols.size).toBe(STATUSES.length)
    expect(renderToStaticMarkup(<StatusBadge status="pending" scheduled />)).toContain('(scheduled)')
  })
})

describe('ProgressBar', () => {
  it('says its value to screen readers and in text, clamped to 0–100', () => {
    const html = renderToStaticMarkup(<ProgressBar value={42.4} label="progress of scan" />)
    expect(html).toContain('role="progressbar"')
    expect(html).toContain('aria-valuenow="42"')
    expect(html).toContain('aria-label="progress of scan"')
    expect(html).toContain('42%')
    expect(renderToStaticMarkup(<ProgressBar value={180} />)).toContain('aria-valuenow="100"')
    expect(renderToStaticMarkup(<ProgressBar value={-5} />)).toContain('aria-valuenow="0"')
  })
})

describe('JsonView', () => {
  it('renders job data as text: markup in it is escaped, never parsed', () => {
    const html = renderToStaticMarkup(
      <JsonView title="Payload" value={{ '<b>key</b>': '"><script>alert(1)</script>', img: '<img src=x onerror=alert(2)>', n: 3, ok: true, none: null }} />,
    )
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img src=x')
    expect(html).not.toContain('<b>key')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;')
    expect(html).toContain('&lt;b&gt;key&lt;/b&gt;')
    expect(html).toContain('Copy payload')
  })

  it('shows the first 200 entries of a long array and offers the rest', () => {
    const html = renderToStaticMarkup(<JsonView title="Result" value={{ rows: Array.from({ length: 250 }, (_, i) => i) }} />)
    expect(html).toContain('show all 250')
    expect(html).toContain('>199<')
    expect(html).not.toContain('>200<')
  })

  it('says null and nothing without offering to copy', () => {
    expect(renderToStaticMarkup(<JsonView title="Result" value={null} />)).not.toContain('Copy')
    expect(renderToStaticMarkup(<JsonView title="Result" value={undefined} />)).toContain('none')
  })
})

describe('ConfirmDialog', () => {
  it('names the action and its count, and focuses "keep them" first when destructive', () => {
    const noop = () => {}
    const html = renderToStaticMarkup(
      <ConfirmDialog title="Delete 12 jobs?" confirmLabel="Delete 12" destructive onConfirm={noop} onCancel={noop}>
        gone for good
      </ConfirmDialog>,
    )
    expect(html).toContain('Delete 12 jobs?')
    expect(html).toContain('>Delete 12<')
    expect(html).toMatch(/<button[^>]*autofocus[^>]*>Keep them</i)
  })
})
