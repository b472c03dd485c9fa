/**
 * The links of an HTML page: the href of each <a>, resolved against the page's URL (or its <base>),
 * http(s) only, without fragments, each once, in page order. A regular expression rather than a DOM
 * parser: the scan needs hrefs only, and the example stays free of dependencies.
 */
export function extractLinks(html: string, pageUrl: string, max = Infinity): string[] {
  const text = html.replace(/<!--[\s\S]*?-->/g, '')
  const base = resolve(attribute(/<base\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`]+))/i.exec(text)), pageUrl) ?? pageUrl
  const links = new Set<string>()
  for (const match of text.matchAll(/<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`]+))/gi)) {
    const href = attribute(match)
    // A link to a place on the same page is not a link to check.
    if (!href || href.startsWith('#')) continue
    const url = resolve(href, base)
    if (!url) continue
    links.add(url)
    if (links.size >= max) break
  }
  return [...links]
}

function attribute(match: RegExpExecArray | null): string | null {
  if (!match) return null
  return decodeEntities((match[1] ?? match[2] ?? match[3] ?? '').trim())
}

function resolve(href: string | null, base: string): string | null {
  if (!href) return null
  try {
    const url = new URL(href, base)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    url.hash = ''
    return url.href
  } catch {
    return null
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return NAMED[name.toLowerCase()] ?? whole
  })
}
