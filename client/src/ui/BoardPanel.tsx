import { useEffect, useState } from 'react';
import { Tldraw, exportAs, type Editor } from 'tldraw';
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import 'tldraw/tldraw.css';
import type { CollabClient } from '../collab/CollabClient';
import { useBoardStore } from '../collab/useBoardStore';

/** tldraw's fonts, icons and translations, bundled by Vite and served by our server (no CDN). */
const assetUrls = getAssetUrlsByImport();

let licenseKey: Promise<string | undefined> | undefined;
/** TLDRAW_LICENSE_KEY from the server, if one is configured (without it the watermark shows). */
function fetchLicenseKey(): Promise<string | undefined> {
  licenseKey ??= fetch('/api/collab/config')
    .then((r) => (r.ok ? (r.json() as Promise<{ tldrawLicenseKey: string | null }>) : { tldrawLicenseKey: null }))
    .then((c) => c.tldrawLicenseKey ?? undefined)
    .catch(() => undefined);
  return licenseKey;
}

/**
 * The shared whiteboard (loaded on demand: tldraw is most of the client's weight). Live cursors
 * and selections of the others come from awareness; export of the page as SVG or PNG.
 */
export default function BoardPanel({ collab }: { collab: CollabClient }) {
  const store = useBoardStore(collab);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [key, setKey] = useState<string | undefined | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    void fetchLicenseKey().then((k) => active && setKey(k));
    return () => {
      active = false;
    };
  }, []);

  const exportBoard = (format: 'svg' | 'png'): void => {
    if (!editor) return;
    const ids = [...editor.getCurrentPageShapeIds()];
    if (ids.length === 0) return setExportError('The board is empty: nothing to export.');
    setExportError(null);
    exportAs(editor, ids, { format, name: 'board' }).catch((error: unknown) => setExportError(`Export failed: ${String(error)}`));
  };

  return (
    <section className="board-panel" data-testid="board-panel" aria-label="Whiteboard">
      <div className="panel-bar">
        <strong>Whiteboard</strong>
        {collab.getSnapshot().readOnly && <span className="hint">View only</span>}
        <span className="spacer" />
        <button type="button" className="small" data-testid="export-svg" disabled={!editor} onClick={() => exportBoard('svg')}>
          Export SVG
        </button>
        <button type="button" className="small" data-testid="export-png" disabled={!editor} onClick={() => exportBoard('png')}>
          Export PNG
        </button>
      </div>
      {exportError && (
        <p className="hint" role="status">
          {exportError}
        </p>
      )}
      <div className="board-canvas">
        {key !== null && <Tldraw store={store} assetUrls={assetUrls} licenseKey={key} onMount={setEditor} />}
      </div>
    </section>
  );
}
