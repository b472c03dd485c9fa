import { isIP } from 'node:net'

/**
 * What kind of network an IP address belongs to, against server-side request forgery (SSRF): a server
 * that requests URLs other people choose could otherwise be made to call its own admin ports, the
 * cloud metadata service (169.254.169.254) or anything else on its private network. Addresses are
 * classified by the ranges below; IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are
 * judged by that address. Each caller decides which kinds it refuses: the link-scan example refuses
 * them all, alert webhooks only link-local and cloud metadata (alerts/webhook.ts).
 */

export interface Range {
  family: 4 | 6
  /** The network's leading bytes. */
  bytes: number[]
  /** Prefix length in bits. */
  bits: number
  kind: string
}

const v4 = (cidr: string, kind: string): Range => {
  const [address, bits] = cidr.split('/') as [string, string]
  return { family: 4, bytes: address.split('.').map(Number), bits: Number(bits), kind }
}
const v6 = (cidr: string, kind: string): Range => {
  const [address, bits] = cidr.split('/') as [string, string]
  return { family: 6, bytes: [...parseIPv6(address)], bits: Number(bits), kind }
}

/**
 * The non-global ranges (IANA special-purpose registries), first match wins. Cloud metadata services
 * outside link-local come first, so that they are named as such rather than as the private range
 * they sit in: AWS's IPv6 endpoint fd00:ec2::254, Alibaba Cloud's 100.100.100.200.
 */
const BLOCKED: readonly Range[] = [
  v4('100.100.100.200/32', 'cloud metadata'),
  v6('fd00:ec2::254/128', 'cloud metadata'),
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'private (shared address space)'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'reserved (documentation)'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved (benchmarking)'),
  v4('198.51.100.0/24', 'reserved (documentation)'),
  v4('203.0.113.0/24', 'reserved (documentation)'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved (incl. broadcast)'),
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  // IPv4-compatible addresses (deprecated): nothing public lives there.
  v6('::/96', 'reserved (IPv4-compatible)'),
  v6('64:ff9b:1::/48', 'private (local NAT64)'),
  v6('100::/64', 'reserved (discard)'),
  v6('2001:db8::/32', 'reserved (documentation)'),
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local'),
  v6('ff00::/8', 'multicast'),
]

/** An address parsed to its bytes (4 or 16). */
export interface ParsedAddress {
  family: 4 | 6
  bytes: Uint8Array
}

/** Parses an IPv4 or IPv6 address (brackets and a zone id are allowed); null if it is not one. */
export function parseAddress(input: string): ParsedAddress | null {
  const address = input.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  const family = isIP(address)
  if (family === 4) return { family: 4, bytes: Uint8Array.from(address.split('.').map(Number)) }
  if (family === 6) return { family: 6, bytes: parseIPv6(address) }
  return null
}

/** isIP() has already accepted the text: expands `::` and a trailing dotted quad into 16 bytes. */
function parseIPv6(address: string): Uint8Array {
  let text = address
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined]
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)))
  const left = groups(head)
  const right = tail === undefined ? [] : groups(tail)
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
  const bytes = new Uint8Array(16)
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8
    bytes[2 * i + 1] = g & 0xff
  })
  return bytes
}

function inRange(address: ParsedAddress, range: Range): boolean {
  if (address.family !== range.family) return false
  for (let bit = 0; bit < range.bits; bit++) {
    const byte = bit >> 3
    const mask = 0x80 >> (bit & 7)
    if (((address.bytes[byte] ?? 0) & mask) !== ((range.bytes[byte] ?? 0) & mask)) return false
  }
  return true
}

/** The IPv4 address an IPv6 address carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedIPv4(address: ParsedAddress): ParsedAddress | null {
  if (address.family !== 6) return null
  const b = address.bytes
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0)
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return { family: 4, bytes: b.slice(12, 16) }
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return { family: 4, bytes: b.slice(12, 16) }
  if (b[0] === 0x20 && b[1] === 0x02) return { family: 4, bytes: b.slice(2, 6) }
  return null
}

/**
 * The kind of a non-global address ("loopback", "private", "link-local", …), or null for a public one.
 * Text that is not an IP address is "not an IP address": only resolved addresses are ever judged.
 *
 * @example
 *   blockedKind('169.254.169.254') // 'link-local'
 *   blockedKind('8.8.8.8')         // null
 */
export function blockedKind(address: string): string | null {
  const parsed = parseAddress(address)
  if (!parsed) return 'not an IP address'
  const inner = embeddedIPv4(parsed)
  if (inner) {
    const kind = BLOCKED.find((r) => inRange(inner, r))?.kind
    if (kind) return kind
  }
  return BLOCKED.find((r) => inRange(parsed, r))?.kind ?? null
}

/** Networks allowed despite being blocked (`10.1.2.0/24`, `fd00::/8`, or one address), parsed once. */
export function parseNetworks(networks: readonly string[]): Range[] {
  return networks.map((cidr) => {
    const [address, bits] = cidr.split('/')
    const parsed = parseAddress(address ?? '')
    const max = parsed?.family === 4 ? 32 : 128
    const prefix = bits === undefined ? max : Number(bits)
    if (!parsed || !Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`not a network: "${cidr}" (write 10.1.2.0/24 or fd00::/8)`)
    return { family: parsed.family, bytes: [...parsed.bytes], bits: prefix, kind: 'allowed' }
  })
}

/** True when the address lies in one of these networks. */
export function inNetworks(address: string, networks: readonly Range[]): boolean {
  const parsed = parseAddress(address)
  return parsed !== null && networks.some((n) => inRange(parsed, n))
}
