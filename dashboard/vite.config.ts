import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** A local ingest (`npm start` or ingest alone) for `vite` dev to proxy to. */
const INGEST_URL = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    // dist/app: tsc -b keeps its declarations in dist/types beside it.
    outDir: 'dist/app',
    emptyOutDir: true,
    // The entry holds what a wall screen needs at start: React, socket.io, the boards and
    // ECharts (~340 kB gzip, goal < 500 kB: `npm run bench -- dashboard` measures it from
    // index.html's references). Pages a TV never opens (analytics, maintenance, work order,
    // access links, customer tracking) are React.lazy chunks (Shell.tsx, Root.tsx), loaded
    // on first visit. The entry is one chunk on purpose: a TV on the plant LAN loads it once
    // and caches it, so splitting vendors out would buy nothing there.
    // Its budget is gzip size (< 500 kB, `npm run bench -- dashboard`); ~1.05 MB minified now.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: INGEST_URL },
      '/socket.io': { target: INGEST_URL, ws: true },
    },
  },
});
