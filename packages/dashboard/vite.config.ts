import tailwindcss from '@tailwindcss/vite'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/**
 * `npm run build -w @conveyor/dashboard` writes dist/, which the server serves at `/`.
 * `npm run dev -w @conveyor/dashboard` serves the sources with hot reload and sends /api to a server
 * on CONVEYOR_URL (default http://127.0.0.1:3000); sign in there as on the real thing.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows no inline script: keep even tiny modules as files.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry /*@__PURE__*/ notes in places Rollup can't use: harmless, and noisy.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return
        warn(warning)
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.CONVEYOR_URL ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
})
