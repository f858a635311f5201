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
    // One bundle (~270 kB gzip: echarts, react-dom, zod) loaded once by a wall screen on the
    // plant LAN and cached; splitting it would buy nothing there.
    chunkSizeWarningLimit: 1000,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: INGEST_URL },
      '/socket.io': { target: INGEST_URL, ws: true },
    },
  },
});
