/**
 * A mistake in how the command was called (a bad flag, setting or argument). The CLI prints its
 * message, which says how to fix it, and exits with status 2; everything else exits with 1.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
