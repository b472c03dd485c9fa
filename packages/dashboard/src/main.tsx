import { isConveyorHttpError } from '@conveyor/client'
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.tsx'
import { applyStoredTheme, PrefsProvider } from './prefs.tsx'
import { SESSION_KEY } from './session.tsx'
import './styles.css'

applyStoredTheme()

/** A 401 anywhere means the session is over (expired, signed out elsewhere, key revoked): back to the sign-in wall. */
const onError = (err: unknown) => {
  if (isConveyorHttpError(err, 'unauthorized')) queryClient.setQueryData(SESSION_KEY, { session: null })
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 5000,
      // The event stream keeps data fresh; refetching on focus would make lists jump while read.
      refetchOnWindowFocus: false,
      retry: (count, err) => count < 2 && !(isConveyorHttpError(err) && err.status < 500),
    },
  },
})

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <PrefsProvider>
        <App />
      </PrefsProvider>
    </QueryClientProvider>
  </StrictMode>,
)
