import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** The signaling server (server/) listens on 3000 in development; Vite proxies its routes. */
const backend = 'http://127.0.0.1:3000';

/** Where the segmentation model and its WebAssembly are served (client/src/media/effects/Segmenter.ts). */
const SEGMENTATION_PATH = 'mediapipe/selfie_segmentation/';

/**
 * The person segmentation of background effects: MediaPipe's selfie segmentation ships its
 * models (.tflite), graph and WebAssembly in its npm package. They are copied as they are into
 * dist/mediapipe/selfie_segmentation/ (and served from node_modules in development): nothing is
 * fetched from a CDN at run time.
 */
function segmentationAssets(): Plugin {
  const dir = path.dirname(createRequire(import.meta.url).resolve('@mediapipe/selfie_segmentation/package.json'));
  const files = fs.readdirSync(dir).filter((f) => /\.(js|wasm|tflite|binarypb|data)$/.test(f));
  return {
    name: 'nomades-segmentation-assets',
    generateBundle() {
      for (const file of files) this.emitFile({ type: 'asset', fileName: SEGMENTATION_PATH + file, source: fs.readFileSync(path.join(dir, file)) });
    },
    configureServer(server) {
      server.middlewares.use(`/${SEGMENTATION_PATH}`, (req, res, next) => {
        const file = (req.url ?? '').replace(/^\/+/, '').split('?')[0];
        if (!files.includes(file)) return next();
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream');
        fs.createReadStream(path.join(dir, file)).pipe(res);
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), segmentationAssets()],
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
