import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = 'http://127.0.0.1:8080';
const here = path.dirname(fileURLToPath(import.meta.url));

// Built into dist/frontend and served by the api at `/`.
// Dev: `npm run dev:frontend`, with the api running on :8080.
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  resolve: {
    alias: {
      '@app/contracts': path.resolve(here, '../libs/contracts/src'),
    },
  },
  build: {
    outDir: path.resolve(here, '../dist/frontend'),
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: their own files stay cached across releases.
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/,
            },
            { name: 'charts', test: /node_modules[\\/]uplot[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: API },
      '/health': { target: API },
      '/metrics': { target: API },
      '/socket.io': { target: API, ws: true },
    },
  },
});
