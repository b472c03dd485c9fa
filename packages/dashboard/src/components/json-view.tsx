import { useState } from 'react'

/** Copies text: the Clipboard API where allowed, else a selected textarea. */
async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    return
  } catch {
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.className = 'fixed -left-[9999px]'
    document.body.append(area)
    area.select()
    document.execCommand('copy')
    area.remove()
  }
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false)
  return (
    <button
      type="button"
      className="btn-quiet text-xs"
      onClick={() => {
        void copyText(text).then(() => {
          setDone(true)
          setTimeout(() => setDone(false), 1500)
        })
      }}
    >
      {done ? 'Copied ✓' : label}
    </button>
  )
}

/** Job data as a collapsible tree of text (never HTML): strings in quotes, keys, numbers, nulls. */
export function JsonView({ value, title }: { value: unknown; title: string }) {
  const text = value === undefined ? '' : JSON.stringify(value, null, 2)
  return (
    <section className="card" aria-label={title}>
      <header className="mb-2 flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold">{title}</h3>
        {value !== undefined && value !== null && <CopyButton text={text} label={`Copy ${title.toLowerCase()}`} />}
      </header>
      {value === undefined || value === null ? (
        <p className="text-sm text-slate-500">{value === null ? 'null' : 'none'}</p>
      ) : (
        <div className="max-h-[32rem] overflow-auto rounded bg-slate-50 p-3 font-mono text-xs leading-5 dark:bg-slate-900">
          <Node value={value} depth={0} />
        </div>
      )}
    </section>
  )
}

/** Entries shown at first per object or array; the rest on demand (a payload may hold thousands). */
const FIRST_ENTRIES = 200

function Node({ value, depth, name }: { value: unknown; depth: number; name?: string }) {
  const [open, setOpen] = useState(depth < 2)
  const [all, setAll] = useState(false)
  const keyPart =
    name === undefined ? null : (
      <>
        <span className="text-violet-700 dark:text-violet-300">{JSON.stringify(name)}</span>
        <span className="text-slate-500">: </span>
      </>
    )
  if (value === null || typeof value !== 'object') {
    return (
      <div className="whitespace-pre-wrap break-all">
        {keyPart}
        <Scalar value={value} />
      </div>
    )
  }
  const entries: [string | undefined, unknown][] = Array.isArray(value) ? value.map((v) => [undefined, v]) : Object.entries(value)
  const [openBrace, closeBrace] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  if (entries.length === 0)
    return (
      <div>
        {keyPart}
        <span className="text-slate-500">{openBrace + closeBrace}</span>
      </div>
    )
  const shown = all ? entries : entries.slice(0, FIRST_ENTRIES)
  return (
    <div>
      <button type="button" className="text-left hover:underline" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true" className="inline-block w-3 text-slate-400">
          {open ? '▾' : '▸'}
        </span>
        {keyPart}
        <span className="text-slate-500">{open ? openBrace : `${openBrace} … ${entries.length} ${Array.isArray(value) ? 'items' : 'keys'} ${closeBrace}`}</span>
      </button>
      {open && (
        <>
          <div className="ml-4 border-l border-slate-200 pl-2 dark:border-slate-700">
            {shown.map(([k, v], i) => (
              <Node key={k ?? i} value={v} depth={depth + 1} {...(k === undefined ? {} : { name: k })} />
            ))}
            {shown.length < entries.length && (
              <button type="button" className="text-sky-700 underline dark:text-sky-300" onClick={() => setAll(true)}>
                show all {entries.length}
              </button>
            )}
          </div>
          <span className="text-slate-500">{closeBrace}</span>
        </>
      )}
    </div>
  )
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span className="text-emerald-800 dark:text-emerald-300">{JSON.stringify(value)}</span>
  if (typeof value === 'number') return <span className="text-sky-700 dark:text-sky-300">{String(value)}</span>
  if (typeof value === 'boolean') return <span className="text-amber-700 dark:text-amber-300">{String(value)}</span>
  return <span className="text-slate-500">null</span>
}
