import type { ErrorPayload, OidcPreset } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from './ErrorNotice';
import { LanguageSwitch } from './LanguageSwitch';
import { LoginButton } from './LoginButton';
import './account.css';

interface Props {
  roomId: string;
  roomName: string;
  preset: OidcPreset | null;
  /** OWN-5: "Continuer en tant qu'invité" only where the room lets guests in. */
  guestsAllowed: boolean;
  error: ErrorPayload | null;
  onGuest: () => void;
}

/** OWN-5: not signed in where sign-in is available: "Se connecter pour rejoindre", and the guest path where allowed. */
export function SignInChoice({ roomId, roomName, preset, guestsAllowed, error, onGuest }: Props) {
  const { t } = useTranslation('auth');
  return (
    <main className="center">
      <LanguageSwitch />
      <div className="card signin-choice" data-testid="signin-choice">
        <h1>{t('common:prejoin.title', { room: roomName })}</h1>
        {error && <ErrorNotice error={error} />}
        <p>{guestsAllowed ? t('choice.intro') : t('choice.agentsOnly')}</p>
        <LoginButton preset={preset} returnTo={`/room/${encodeURIComponent(roomId)}`} wording="loginToJoin" testId="login-to-join" />
        {guestsAllowed && (
          <>
            <p className="hint">{t('choice.guestIntro')}</p>
            <button type="button" className="secondary" data-testid="continue-as-guest" onClick={onGuest}>
              {t('choice.guest')}
            </button>
          </>
        )}
      </div>
    </main>
  );
}
