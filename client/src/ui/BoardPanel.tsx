import { useEffect, useRef, useState } from 'react';
import { Tldraw, exportAs, type Editor } from 'tldraw';
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import 'tldraw/tldraw.css';
import { useTranslation } from 'react-i18next';
import type { CollabClient } from '../collab/CollabClient';
import { useBoardStore } from '../collab/useBoardStore';
import { labelBoardControls } from './labelBoardControls';

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
  const { t, i18n } = useTranslation();
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

  const canvas = useRef<HTMLDivElement>(null);
  useEffect(() => (canvas.current ? labelBoardControls(canvas.current) : undefined), []);

  // tldraw's own menus and tooltips in the page's language (its translations are bundled).
  useEffect(() => {
    editor?.user.updateUserPreferences({ locale: i18n.language });
  }, [editor, i18n.language]);

  const exportBoard = (format: 'svg' | 'png'): void => {
    if (!editor) return;
    const ids = [...editor.getCurrentPageShapeIds()];
    if (ids.length === 0) return setExportError(t('board.empty'));
    setExportError(null);
    exportAs(editor, ids, { format, name: t('board.fileName') }).catch((error: unknown) => {
      console.error('board export failed', error);
      setExportError(t('board.exportFailed'));
    });
  };

  return (
    <section className="board-panel" data-testid="board-panel" aria-label={t('board.label')}>
      <div className="panel-bar">
        <strong>{t('board.label')}</strong>
        {collab.getSnapshot().readOnly && <span className="hint">{t('board.readOnly')}</span>}
        <span className="spacer" />
        <button type="button" className="small" data-testid="export-svg" disabled={!editor} onClick={() => exportBoard('svg')}>
          {t('board.exportSvg')}
        </button>
        <button type="button" className="small" data-testid="export-png" disabled={!editor} onClick={() => exportBoard('png')}>
          {t('board.exportPng')}
        </button>
      </div>
      {exportError && (
        <p className="hint" role="status">
          {exportError}
        </p>
      )}
      <div className="board-canvas" ref={canvas}>
        {key !== null && <Tldraw store={store} assetUrls={assetUrls} licenseKey={key} onMount={setEditor} />}
      </div>
    </section>
  );
}
