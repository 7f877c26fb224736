import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      // zod and sdp-transform are small and ESM/CJS-agnostic: bundle them so main starts with fewer resolutions.
      externalizeDeps: { exclude: ['zod', 'sdp-transform'] },
      // `backend` is the embedded SFU, run by main in a supervised utilityProcess.
      rolldownOptions: {
        input: { index: resolve('electron/main/index.ts'), backend: resolve('server/sfu/processEntry.ts') },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require node_modules and must be CommonJS.
      externalizeDeps: false,
      minify: true,
      rolldownOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    build: { minify: true, rolldownOptions: { input: { index: resolve('renderer/index.html') } } },
    plugins: [react()],
  },
})
