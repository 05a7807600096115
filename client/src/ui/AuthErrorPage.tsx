import { useEffect, useState } from 'react';
import type { AuthErrorCode, MeAnswer } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { authErrorOf, retrySignIn } from '../auth/authLinks';
import { LanguageSwitch } from './LanguageSwitch';
import { LoginButton } from './LoginButton';
import { useMe } from './useMe';
import './account.css';

/**
 * AUTH-14: `/connexion/erreur?code=…`, where a sign-in or a sign-out that did not end as hoped
 * lands: what happened and what to do, in a sentence, and one button (sign in again, or home).
 * Never an automatic retry: a provider that refuses must not make a loop.
 */
export function AuthErrorPage() {
  const { t } = useTranslation('auth');
  const [code] = useState<AuthErrorCode | null>(() => authErrorOf(window.location.search));
  const [me] = useMe();
  useEffect(() => {
    document.title = `${t('error.title')} – Nomades Visio`;
  }, [t]);
  const preset = (me as Extract<MeAnswer, { signedIn: false }> | null)?.preset ?? null;
  return (
    <main className="center">
      <LanguageSwitch />
      <div className="card auth-error" data-testid="auth-error" data-code={code ?? 'unknown'}>
        <h1>{t('error.title')}</h1>
        <p data-testid="auth-error-text">{t(`error.${code ?? 'unknown'}`)}</p>
        {code === 'second_factor_required' && <p className="hint">{t('error.second_factor_how')}</p>}
        {retrySignIn(code) && me?.signedIn !== true ? (
          <LoginButton preset={preset} returnTo="/" wording="loginAgain" testId="login" />
        ) : (
          <a className="primary button-link" href="/" data-testid="home">
            {t('error.home')}
          </a>
        )}
      </div>
    </main>
  );
}
