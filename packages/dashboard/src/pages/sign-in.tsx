import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { errorMessage, sessionApi } from '../api.ts'

/** The sign-in wall: an API key (admin, producer or viewer) opens an httpOnly session cookie. */
export function SignIn() {
  const qc = useQueryClient()
  const [key, setKey] = useState('')
  const signIn = useMutation({
    mutationFn: (k: string) => sessionApi.signIn(k),
    onSuccess: (answer) => qc.setQueryData(['session'], answer),
  })
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <form
        className="card w-full max-w-sm space-y-4"
        onSubmit={(e) => {
          e.preventDefault()
          signIn.mutate(key)
        }}
      >
        <div className="flex items-center gap-2">
          <img src="/favicon.svg" alt="" className="h-8 w-8" />
          <h1 className="text-xl font-semibold">Sign in to Conveyor</h1>
        </div>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Paste an API key: an admin or producer key to see and act on every job, a viewer key to look only. The first start of the server
          printed an admin key; <code className="text-xs">conveyor keys create --role viewer</code> makes more.
        </p>
        <div className="space-y-1">
          <label htmlFor="api-key" className="block text-sm font-medium">
            API key
          </label>
          <input
            id="api-key"
            type="password"
            autoComplete="current-password"
            required
            autoFocus
            className="input w-full"
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
        </div>
        {signIn.isError && (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-400">
            {errorMessage(signIn.error)}
          </p>
        )}
        <button type="submit" className="btn-primary w-full" disabled={signIn.isPending || key.trim() === ''}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
