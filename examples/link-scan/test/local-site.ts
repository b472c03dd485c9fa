import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LocalSite {
  /** http://host:port */
  url: string
  /** Every request this site received, as "METHOD /path". */
  requests: string[]
  close(): Promise<void>
}

type Route = (req: IncomingMessage, res: ServerResponse, site: { url: string }) => void

/**
 * A small web site on a free port of `host`, for scans that never leave the machine. Routes are
 * matched on the path (the query is ignored) and answer as their names say; other paths answer 404.
 */
export async function startSite(host: string, routes: Record<string, Route>): Promise<LocalSite> {
  const requests: string[] = []
  const site = { url: '' }
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname]
    if (route) route(req, res, site)
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve))
  site.url = `http://${host}:${(server.address() as AddressInfo).port}`
  return {
    url: site.url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // A request the site never answers (/hang) must not hold the close.
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export const html = (body: string): Route => (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body)
export const status = (code: number): Route => (_req, res) => res.writeHead(code, { 'content-type': 'text/plain' }).end(String(code))
export const redirect = (to: (site: { url: string }) => string, code = 302): Route => (_req, res, site) => res.writeHead(code, { location: to(site) }).end()
/** Refuses HEAD (405), answers GET: the scan must fall back to GET. */
export const getOnly: Route = (req, res) => res.writeHead(req.method === 'HEAD' ? 405 : 200, { 'content-type': 'text/plain' }).end()
/** Drops the connection without an answer. */
export const reset: Route = (req) => req.socket.destroy()
/** Never answers: the scan's timeout must end the wait. */
export const hang: Route = () => {}
