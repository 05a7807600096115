import { useEffect, useRef, useState, type RefObject } from 'react';
import type { CaptionCue, ViewableRecording } from '@nomades/shared';
import { useTranslation } from 'react-i18next';

interface Props {
  recording: ViewableRecording;
  /** The player's accessible name (the recording's date). */
  label: string;
  videoRef: RefObject<HTMLVideoElement>;
  /** The stored captions as the browser read them from the track ([] when there are none). */
  onCues?: (cues: CaptionCue[]) => void;
}

/**
 * REC-V3, CAP-8: a recording in `<video controls>`, with its captions as
 * `<track kind="captions" srclang="fr" default>` when it has some (WCAG 1.2.2). The video's address
 * is the one it opened with: a refreshed list signs new addresses, and changing `src` would start
 * the playback over; the track follows `captionsUrl`, so that captions just saved show at once.
 */
export function RecordingPlayer({ recording, label, videoRef, onCues }: Props) {
  const { t } = useTranslation('sharing');
  const [src] = useState(recording.url);
  const trackRef = useRef<HTMLTrackElement>(null);
  const captionsUrl = recording.captionsUrl;

  useEffect(() => {
    const element = trackRef.current;
    if (!captionsUrl || !element) {
      onCues?.([]);
      return;
    }
    // `default` is honoured only for a track present when the video starts: shown (and so loaded) in any case.
    element.track.mode = 'showing';
    const loaded = () => onCues?.(cuesOf(element.track));
    element.addEventListener('load', loaded);
    if (element.readyState === HTMLTrackElement.LOADED) loaded();
    return () => element.removeEventListener('load', loaded);
    // onCues is the panel's setter: stable.
  }, [captionsUrl]);

  return (
    <video ref={videoRef} data-testid="recording-video" src={src ?? undefined} controls preload="metadata" aria-label={label}>
      {captionsUrl && <track key={captionsUrl} ref={trackRef} kind="captions" srcLang="fr" label={t('captions.trackLabel')} src={captionsUrl} default />}
    </video>
  );
}

/** A track's cues as the editor holds them: times in ms, the text without its markup (getCueAsHTML decodes `&amp;`…). */
function cuesOf(track: TextTrack): CaptionCue[] {
  return Array.from(track.cues ?? [], (cue) => ({
    startMs: Math.round(cue.startTime * 1000),
    endMs: Math.round(cue.endTime * 1000),
    text: cue instanceof VTTCue ? (cue.getCueAsHTML().textContent ?? '') : '',
  }));
}
