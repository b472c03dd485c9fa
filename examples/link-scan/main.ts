import { runExample } from '../app-kit/run-example.ts'
import { startLinkScan } from './src/app.ts'

// LINK_SCAN_ALLOW_PRIVATE_NETWORKS=1 lets scans reach private and loopback addresses (off: the SSRF
// guard refuses them); LINK_SCAN_ALLOW_NETWORKS=10.1.2.0/24,fd00::/8 allows only those networks.
const env = process.env
const allowPrivateNetworks = env.LINK_SCAN_ALLOW_PRIVATE_NETWORKS === '1' || env.LINK_SCAN_ALLOW_PRIVATE_NETWORKS === 'true'
const allowNetworks = (env.LINK_SCAN_ALLOW_NETWORKS ?? '').split(',').map((s) => s.trim()).filter(Boolean)

await runExample('link-scan', {}, (conveyor, ports) => startLinkScan(conveyor, { ...ports, scan: { allowPrivateNetworks, allowNetworks } }))
