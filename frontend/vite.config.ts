import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = 'http://127.0.0.1:8080';

// Built into dist/frontend and served by the api at `/`.
// Dev: `npm run dev:frontend`, with the api running on :8080.
export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [react()],
  resolve: {
    alias: {
      '@app/contracts': path.resolve(__dirname, '../libs/contracts/src'),
    },
  },
  build: {
    outDir: path.resolve(__dirname, '../dist/frontend'),
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': { target: API },
      '/health': { target: API },
      '/socket.io': { target: API, ws: true },
    },
  },
});
