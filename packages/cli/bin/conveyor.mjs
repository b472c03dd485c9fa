#!/usr/bin/env node
// The `conveyor` command. Conveyor ships TypeScript sources (no build step): tsx's loader is registered
// first, so the CLI's sources and a --handlers .ts module both load.
import { register } from 'tsx/esm/api'

register()
await import('../src/main.ts')
