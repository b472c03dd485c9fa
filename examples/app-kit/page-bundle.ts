import { build } from 'esbuild'

/**
 * The page's script: its TSX entry bundled for the browser (React, @conveyor/client and the page's
 * own modules) in memory, once per process. esbuild comes with Vite, which the dashboard builds with;
 * bundling at start keeps the examples free of a build step (about a second, once).
 */
export async function bundlePage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  })
  const [file] = result.outputFiles
  if (!file) throw new Error(`bundling ${entry} produced nothing`)
  return file.text
}
