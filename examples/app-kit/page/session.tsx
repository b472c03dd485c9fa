import { type ConveyorClient, createClient } from '@conveyor/client'
import { type FormEvent, type ReactNode, useEffect, useState } from 'react'

/** A signed-in user of an example page: a client of the Conveyor API acting for that user only. */
export interface Session {
  user: string
  client: ConveyorClient
}

interface Issued {
  apiUrl: string
  token: string
  expiresAt: string
}

const STORAGE_KEY = 'conveyor-example-user'
/** Renew the token this long before it expires. */
const RENEW_BEFORE_MS = 60_000

async function issue(user: string): Promise<Issued> {
  const res = await fetch('/app/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) })
  const body = (await res.json()) as Issued & { error?: { message: string } }
  if (!res.ok) throw new Error(body.error?.message ?? `sign-in failed (${res.status})`)
  return body
}

/**
 * Signs in at the example's backend, which mints a user token for `user`; the client asks for a new
 * one before it expires. Every call the page makes goes to the Conveyor API with that token.
 */
export async function signIn(user: string): Promise<Session> {
  let current = await issue(user)
  const token = async () => {
    if (Date.parse(current.expiresAt) - Date.now() < RENEW_BEFORE_MS) current = await issue(user)
    return current.token
  }
  return { user, client: createClient({ baseUrl: current.apiUrl, token }) }
}

/**
 * The page behind a sign-in form; the user name is remembered in this browser (another browser or
 * device signs in on its own, with a token of its own).
 */
export function SignedIn({ hint, children }: { hint: string; children: (session: Session, signOut: () => void) => ReactNode }) {
  const [session, setSession] = useState<Session | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [name, setName] = useState(() => localStorage.getItem(STORAGE_KEY) ?? '')

  const start = (user: string) => {
    setError(null)
    signIn(user).then(
      (s) => {
        localStorage.setItem(STORAGE_KEY, user)
        setSession(s)
      },
      (err: Error) => setError(err.message),
    )
  }
  useEffect(() => {
    const remembered = localStorage.getItem(STORAGE_KEY)
    if (remembered) start(remembered)
  }, [])

  if (session)
    return children(session, () => {
      localStorage.removeItem(STORAGE_KEY)
      setSession(null)
    })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (name.trim()) start(name.trim())
  }
  return (
    <form className="card sign-in" onSubmit={submit}>
      <h2>Sign in</h2>
      <p className="muted">{hint}</p>
      <label>
        User <input name="user" value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="alice" />
      </label>
      <button type="submit">Sign in</button>
      {error && <p className="error">{error}</p>}
    </form>
  )
}

/** An example's page: the sign-in, then a header with the title and the user, and the page itself. */
export function ExamplePage({ title, hint, children }: { title: string; hint: string; children: (session: Session) => ReactNode }) {
  return (
    <main>
      <SignedIn hint={hint}>
        {(session, signOut) => (
          <>
            <header>
              <h1>{title}</h1>
              <span className="muted">
                {session.user}{' '}
                <button className="secondary" onClick={signOut}>
                  Sign out
                </button>
              </span>
            </header>
            {children(session)}
          </>
        )}
      </SignedIn>
    </main>
  )
}
