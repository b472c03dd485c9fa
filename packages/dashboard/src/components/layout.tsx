import { type ReactNode, useEffect, useMemo, useState } from 'react'
import { NavLink, useNavigate } from 'react-router'
import { useLive } from '../live.tsx'
import { type Theme, usePrefs } from '../prefs.tsx'
import { useSession } from '../session.tsx'
import { isTyping } from '../lib/typing.ts'
import { ShortcutsHelp } from './shortcuts-help.tsx'

type Can = ReturnType<typeof useSession>['can']
/** Path, label, the key after `g`, and who sees the entry (everyone when absent). */
const NAV: [string, string, string, ((can: Can) => boolean)?][] = [
  ['/', 'Overview', 'o'],
  ['/jobs', 'Jobs', 'j'],
  ['/queues', 'Queues', 'q'],
  ['/workers', 'Workers', 'w'],
  ['/schedules', 'Schedules', 's'],
  ['/stats', 'Metrics', 'm'],
  ['/errors', 'Errors', 'f'],
  ['/alerts', 'Alerts', 'a', (can) => can.oversee],
  ['/audit', 'Audit log', 'l', (can) => can.oversee],
  ['/enqueue', 'Enqueue', 'e', (can) => can.act],
]

const LIVE_LABEL = {
  connecting: ['◌', 'connecting'],
  open: ['●', 'live'],
  polling: ['◐', 'polling (stream unavailable)'],
  closed: ['○', 'stopped'],
  paused: ['❚❚', 'paused while hidden'],
} as const

export function Layout({ children }: { children: ReactNode }) {
  const { session, can, signOut } = useSession()
  const { theme, setTheme, tz, setTz } = usePrefs()
  const live = useLive()
  const navigate = useNavigate()
  const [help, setHelp] = useState(false)

  // Keyed on the abilities, not on `can` itself (a new object each render): the key handler below
  // must outlive re-renders, or a `g` pressed just before one would be forgotten.
  const { act, admin, oversee } = can
  const nav = useMemo(() => NAV.filter(([, , , show]) => !show || show({ act, admin, oversee })), [act, admin, oversee])
  useEffect(() => {
    let goAt = 0
    // Capture phase: `g` and the key after it are taken before the pages' own shortcuts see them.
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || isTyping(e.target) || document.querySelector('dialog[open]')) return
      if (Date.now() - goAt < 1500) {
        goAt = 0
        const target = nav.find(([, , key]) => key === e.key)
        if (target) {
          e.preventDefault()
          e.stopPropagation()
          void navigate(target[0])
        }
        return
      }
      if (e.key === 'g') goAt = Date.now()
      else if (e.key === '?') {
        e.preventDefault()
        setHelp(true)
      } else if (e.key === '/') {
        e.preventDefault()
        const search = document.getElementById('job-search')
        if (search) search.focus()
        else void navigate('/jobs', { state: { focusSearch: true } })
      }
    }
    document.addEventListener('keydown', onKey, true)
    return () => document.removeEventListener('keydown', onKey, true)
  }, [nav, navigate])

  const [symbol, liveText] = LIVE_LABEL[live.state]
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-3 py-2 sm:px-4">
          <NavLink to="/" className="flex items-center gap-2 font-semibold">
            <img src="/favicon.svg" alt="" className="h-6 w-6" />
            Conveyor
          </NavLink>
          <nav aria-label="main" className="-mx-1 flex max-w-full gap-1 overflow-x-auto">
            {nav.map(([path, label]) => (
              <NavLink
                key={path}
                to={path}
                end={path === '/'}
                className={({ isActive }) =>
                  `whitespace-nowrap rounded px-2 py-1 text-sm ${isActive ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`
                }
              >
                {label}
              </NavLink>
            ))}
          </nav>
          <div className="ml-auto flex flex-wrap items-center gap-2 text-sm">
            <span
              className={`inline-flex items-center gap-1 text-xs ${live.state === 'open' ? 'text-emerald-700 dark:text-emerald-400' : 'text-amber-700 dark:text-amber-400'}`}
              data-testid="live-state"
              data-state={live.state}
              title="live updates"
            >
              <span aria-hidden="true">{symbol}</span>
              {liveText}
            </span>
            <label className="sr-only" htmlFor="tz">
              Time zone
            </label>
            <select id="tz" className="input py-0.5 text-xs" value={tz} onChange={(e) => setTz(e.target.value as 'local' | 'UTC')} title="time zone">
              <option value="local">Local time</option>
              <option value="UTC">UTC</option>
            </select>
            <label className="sr-only" htmlFor="theme">
              Theme
            </label>
            <select id="theme" className="input py-0.5 text-xs" value={theme} onChange={(e) => setTheme(e.target.value as Theme)} title="theme">
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
            <button type="button" className="btn-quiet text-xs" onClick={() => setHelp(true)} aria-label="keyboard shortcuts">
              <kbd className="kbd">?</kbd>
            </button>
            <span className="text-xs text-slate-600 dark:text-slate-400" data-testid="signed-in-as">
              {session.name} · <strong>{session.role}</strong>
            </span>
            <button type="button" className="btn text-xs" onClick={signOut}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-3 py-4 sm:px-4">
        {children}
      </main>
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
  )
}
