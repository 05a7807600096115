import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { speakerToneWav } from './speakerTone';

type State = 'idle' | 'playing' | 'done' | 'failed';

/** "Test my speaker": a short tone on the chosen output (setSinkId where the browser has it). */
export function SpeakerTest({ sinkId }: { sinkId: string | null }) {
  const { t } = useTranslation('devices');
  const [state, setState] = useState<State>('idle');
  const audio = useRef<HTMLAudioElement | null>(null);
  useEffect(() => () => audio.current?.pause(), []);

  const play = async (): Promise<void> => {
    audio.current?.pause();
    const url = URL.createObjectURL(speakerToneWav());
    const element = new Audio(url);
    audio.current = element;
    const finish = (next: State): void => {
      URL.revokeObjectURL(url);
      if (audio.current === element) setState(next);
    };
    element.addEventListener('ended', () => finish('done'), { once: true });
    setState('playing');
    try {
      if (sinkId && 'setSinkId' in element) await element.setSinkId(sinkId);
      await element.play();
    } catch (error) {
      console.warn('speaker test failed', error);
      finish('failed');
    }
  };

  return (
    <div className="speaker-test">
      <button type="button" className="secondary" data-testid="speaker-test" data-state={state} onClick={() => void play()}>
        {t('speakerTest')}
      </button>
      <span className="hint" role="status">
        {state === 'playing' ? t('speakerTestPlaying') : state === 'done' ? t('speakerTestDone') : state === 'failed' ? t('speakerTestFailed') : ''}
      </span>
    </div>
  );
}
