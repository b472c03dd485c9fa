/** One message of a Server-Sent Events stream. */
export interface SseMessage {
  /** The `event:` field; `message` when the server gave none. */
  event: string
  data: string
  id?: string
}

/**
 * An incremental parser of the text/event-stream format (WHATWG HTML, "server-sent events"): feed it
 * decoded text as it arrives, in chunks of any size, and it calls `onMessage` per complete message.
 * Comment lines (`: keep-alive`) are skipped; `retry:` is ignored (the subscriber has its own backoff).
 */
export class SseParser {
  #buffer = ''
  #data: string[] = []
  #event = ''
  #id: string | undefined

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  push(chunk: string): void {
    this.#buffer += chunk
    for (;;) {
      const end = this.#buffer.search(/[\r\n]/)
      if (end < 0) return
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for the next one.
      if (this.#buffer[end] === '\r' && end === this.#buffer.length - 1) return
      const line = this.#buffer.slice(0, end)
      const skip = this.#buffer[end] === '\r' && this.#buffer[end + 1] === '\n' ? 2 : 1
      this.#buffer = this.#buffer.slice(end + skip)
      this.#line(line)
    }
  }

  #line(line: string) {
    if (line === '') return this.#dispatch()
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.#data.push(value)
    else if (field === 'event') this.#event = value
    else if (field === 'id' && !value.includes('\0')) this.#id = value
  }

  #dispatch() {
    if (this.#data.length > 0) {
      const message: SseMessage = { event: this.#event || 'message', data: this.#data.join('\n') }
      if (this.#id !== undefined) message.id = this.#id
      this.onMessage(message)
    }
    this.#data = []
    this.#event = ''
  }
}
