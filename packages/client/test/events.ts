import type { JobEvent } from '@conveyor/contracts'
import type { ConveyorClient, EventFilter, SubscribeOptions, SubscriptionState } from '../src/index.ts'
import { cleanup } from './helpers.ts'

/**
 * Subscribes and records: every event, every state change. `next` and `state` resolve when a matching
 * event or state arrives (or has arrived since the last call), so tests await them instead of sleeping.
 */
export function record(client: ConveyorClient, filter: EventFilter, options: SubscribeOptions = {}) {
  const events: JobEvent[] = []
  const states: SubscriptionState[] = []
  const errors: unknown[] = []
  const waiters: { test: () => boolean; resolve: () => void }[] = []
  const check = () => {
    for (const w of waiters.slice()) {
      if (w.test()) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
  }
  const until = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      waiters.push({ test, resolve })
      check()
    })
  const unsubscribe = client.subscribe(
    filter,
    (e) => {
      events.push(e)
      check()
    },
    {
      reconnectDelayMs: 20,
      maxReconnectDelayMs: 200,
      pollIntervalMs: 100,
      ...options,
      onStateChange: (s, err) => {
        states.push(s)
        options.onStateChange?.(s, err)
        check()
      },
      onError: (err) => {
        errors.push(err)
        options.onError?.(err)
      },
    },
  )
  cleanup(unsubscribe)
  let stateSeen = 0
  return {
    events,
    states,
    errors,
    unsubscribe,
    /** Resolves with the first event matching `predicate`, among those received so far or later. */
    async next(predicate: (e: JobEvent) => boolean): Promise<JobEvent> {
      await until(() => events.some(predicate))
      return events.find(predicate)!
    },
    /** Resolves when the subscription enters `state` after the previous state() call resolved. */
    async state(state: SubscriptionState): Promise<void> {
      await until(() => states.indexOf(state, stateSeen) >= 0)
      stateSeen = states.indexOf(state, stateSeen) + 1
    },
  }
}
