import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, type ReactNode, useContext } from 'react'
import { abilities, type SessionInfo, sessionApi } from './api.ts'
import { SignIn } from './pages/sign-in.tsx'

interface SessionValue {
  session: SessionInfo
  can: ReturnType<typeof abilities>
  signOut(): void
}

const SessionContext = createContext<SessionValue | null>(null)
export const SESSION_KEY = ['session'] as const

/**
 * The sign-in wall: nothing below it renders (or fetches) until the server says a session is open.
 * A 401 from any call afterwards (the key was revoked, the session expired) brings the wall back.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const qc = useQueryClient()
  const q = useQuery({ queryKey: SESSION_KEY, queryFn: sessionApi.get, staleTime: Infinity, retry: 1 })
  const signOut = useMutation({
    mutationFn: sessionApi.signOut,
    onSettled: () => {
      qc.clear()
      qc.setQueryData(SESSION_KEY, { session: null })
    },
  })
  if (q.isPending) return <p className="p-8 text-slate-500">Loading…</p>
  if (q.isError)
    return (
      <p role="alert" className="p-8">
        The server did not answer: {String(q.error)}. <button className="underline" onClick={() => void q.refetch()}>Try again</button>
      </p>
    )
  const session = q.data.session
  if (!session) return <SignIn />
  const value: SessionValue = { session, can: abilities(session.role), signOut: () => signOut.mutate() }
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionValue {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside SessionGate')
  return s
}
