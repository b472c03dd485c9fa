#!/usr/bin/env node
// The `conveyor` command. Conveyor ships TypeScript sources (no build step), so tsx is registered first
// for both module systems: the CLI's sources load as ESM, and a --handlers .ts file outside any
// "type": "module" package is loaded by Node as CommonJS, which only tsx's CommonJS hook transforms.
import { register as registerCommonJs } from 'tsx/cjs/api'
import { register } from 'tsx/esm/api'

registerCommonJs()
register()
await import('../src/main.ts')
