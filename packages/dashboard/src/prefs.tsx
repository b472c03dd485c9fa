import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import type { TimeZoneChoice } from './lib/format.ts'

export type Theme = 'light' | 'dark' | 'system'

interface Prefs {
  theme: Theme
  setTheme(t: Theme): void
  tz: TimeZoneChoice
  setTz(tz: TimeZoneChoice): void
}

const PrefsContext = createContext<Prefs | null>(null)

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const v = localStorage.getItem(key)
    return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback
  } catch {
    return fallback
  }
}
function store(key: string, value: string) {
  try {
    localStorage.setItem(key, value)
  } catch {
    // Private mode: the choice lasts this page only.
  }
}

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)')
function useSystemDark(): boolean {
  return useSyncExternalStore(
    (cb) => {
      const q = darkQuery()
      q.addEventListener('change', cb)
      return () => q.removeEventListener('change', cb)
    },
    () => darkQuery().matches,
  )
}

/** Applies the stored theme before the first render (no inline script may do it: the CSP forbids it). */
export function applyStoredTheme(): void {
  const theme = stored<Theme>('conveyor.theme', ['light', 'dark', 'system'], 'system')
  document.documentElement.classList.toggle('dark', theme === 'dark' || (theme === 'system' && darkQuery().matches))
}

/** Theme (light, dark, or the system's) and time zone (local or UTC), kept in localStorage. */
export function PrefsProvider({ children }: { children: ReactNode }) {
  const [theme, setThemeState] = useState<Theme>(() => stored<Theme>('conveyor.theme', ['light', 'dark', 'system'], 'system'))
  const [tz, setTzState] = useState<TimeZoneChoice>(() => stored<TimeZoneChoice>('conveyor.tz', ['local', 'UTC'], 'local'))
  const systemDark = useSystemDark()
  const dark = theme === 'dark' || (theme === 'system' && systemDark)
  useEffect(() => {
    document.documentElement.classList.toggle('dark', dark)
  }, [dark])
  const setTheme = useCallback((t: Theme) => {
    setThemeState(t)
    store('conveyor.theme', t)
  }, [])
  const setTz = useCallback((t: TimeZoneChoice) => {
    setTzState(t)
    store('conveyor.tz', t)
  }, [])
  const value = useMemo(() => ({ theme, setTheme, tz, setTz }), [theme, setTheme, tz, setTz])
  return <PrefsContext.Provider value={value}>{children}</PrefsContext.Provider>
}

export function usePrefs(): Prefs {
  const p = useContext(PrefsContext)
  if (!p) throw new Error('usePrefs outside PrefsProvider')
  return p
}

/** The current time, refreshed every `everyMs` (relative times and running durations re-render with it). */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(t)
  }, [everyMs])
  return now
}
