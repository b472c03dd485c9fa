/**
 * A failure the CLI itself detects (not the engine's nor the server's), with a stable code like theirs:
 * printed as `error (<code>): <message>`, exit status 1.
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'CliError'
  }
}
