import { useContext, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { QualityMonitor, QualitySnapshot } from '../media/QualityMonitor';
import { QualityContext } from './QualityContext';
import './devices.css';

const NONE: QualitySnapshot = { self: null, peers: new Map() };
const noMonitor = (): (() => void) => () => undefined;

function useQuality(monitor: QualityMonitor | null): QualitySnapshot {
  return useSyncExternalStore(monitor?.subscribe ?? noMonitor, monitor?.getSnapshot ?? (() => NONE));
}

/**
 * A tile's connection level (MEDIA-5): bars, a spoken name (“Connexion de Ada : bonne”) and,
 * when it is poor, a visible hint of what to do. `peerId` null: this client's own tile.
 */
export function QualityIndicator({ peerId, name }: { peerId: string | null; name?: string }) {
  const { t } = useTranslation('devices');
  const snapshot = useQuality(useContext(QualityContext));
  const level = peerId === null ? snapshot.self : (snapshot.peers.get(peerId) ?? null);
  if (level === null) return null;
  const words = [t('quality.0'), t('quality.1'), t('quality.2'), t('quality.3')][level];
  const label = peerId === null ? t('quality.ofSelf', { level: words }) : t('quality.ofPeer', { name: name ?? '', level: words });
  const poor = level <= 1;
  return (
    <span className="quality-wrap tile-quality">
      <span className="quality" data-testid="quality" data-level={level} role="img" aria-label={label} title={label}>
        {[1, 2, 3].map((bar) => (
          <span key={bar} className={bar <= Math.max(level, 1) ? 'quality-bar on' : 'quality-bar'} style={{ height: `${bar * 4 + 2}px` }} />
        ))}
      </span>
      {poor && (
        <span className="quality-hint" data-testid="quality-hint">
          {peerId === null ? t('quality.hintSelf') : t('quality.hintPeer', { name: name ?? '' })}
        </span>
      )}
    </span>
  );
}
