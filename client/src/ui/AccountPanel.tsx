import type { MeAnswer } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { LoginButton } from './LoginButton';
import { LogoutButton } from './LogoutButton';
import { MyRooms } from './MyRooms';
import { NewMeetingButton } from './NewMeetingButton';

/** The agent's side of the home page: nothing without sign-in, "Se connecter" signed out, their meetings signed in. */
export function AccountPanel({ me }: { me: MeAnswer }) {
  const { t } = useTranslation('auth');
  if (!me.signedIn) {
    if (!me.loginAvailable) return null;
    return (
      <section className="card account" aria-labelledby="account-title">
        <h2 id="account-title">{t('home.agentsTitle')}</h2>
        <p className="hint">{t('home.agentsIntro')}</p>
        <LoginButton preset={me.preset} returnTo="/" wording="login" testId="login" />
      </section>
    );
  }
  return (
    <>
      <section className="card account" aria-labelledby="account-title" data-testid="account">
        <h2 id="account-title">{t('home.signedInTitle')}</h2>
        <p data-testid="agent-name">{t('home.signedInAs', { name: me.name })}</p>
        <div className="actions wrap">
          <NewMeetingButton />
          <NewMeetingButton mode="coffee" />
          <LogoutButton />
        </div>
      </section>
      <MyRooms ownersMayRecord={me.ownersMayRecord} />
    </>
  );
}
