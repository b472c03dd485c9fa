import { describe, expect, it } from 'vitest'
import { blockedKind, inNetworks, parseNetworks } from '../src/net/address-policy.ts'

describe('the SSRF address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private (shared address space)'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved (incl. broadcast)'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['::127.0.0.1', 'reserved (IPv4-compatible)'],
    ['100.100.100.200', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['localhost', 'not an IP address'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(blockedKind(address)).toBe(kind)
  })

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])('allows the public address %s', (address) => {
    expect(blockedKind(address)).toBeNull()
  })

  it('allowNetworks lets chosen networks through, and refuses what is not a network', () => {
    const allowed = parseNetworks(['10.1.2.0/24', 'fd00::/8', '192.168.1.5'])
    expect(inNetworks('10.1.2.200', allowed)).toBe(true)
    expect(inNetworks('10.1.3.1', allowed)).toBe(false)
    expect(inNetworks('fd00::1', allowed)).toBe(true)
    expect(inNetworks('192.168.1.5', allowed)).toBe(true)
    expect(inNetworks('192.168.1.6', allowed)).toBe(false)
    expect(() => parseNetworks(['10.0.0.0/33'])).toThrow(/not a network/)
    expect(() => parseNetworks(['intranet'])).toThrow(/not a network/)
  })
})
