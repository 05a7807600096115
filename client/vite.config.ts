import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The signaling server (server/) listens on 3000 in development; Vite proxies its routes. */
const backend = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/healthz': { target: backend, changeOrigin: true },
      '/socket.io': { target: backend, ws: true, changeOrigin: true },
      '/collab': { target: backend, ws: true, changeOrigin: true },
    },
  },
});
