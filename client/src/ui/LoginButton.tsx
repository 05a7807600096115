import type { OidcPreset } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { loginHref } from '../auth/authLinks';

interface Props {
  preset: OidcPreset | null;
  /** Where the login comes back (a same-origin path, AUTH-3). */
  returnTo: string;
  /** `login`: "Se connecter"; `loginToJoin`: "Se connecter pour rejoindre"; `loginAgain`: "Se connecter à nouveau". */
  wording: 'login' | 'loginToJoin' | 'loginAgain';
  testId: string;
}

/**
 * Starts a login (`GET /auth/login?returnTo=…`): a link, a plain navigation that the server sends on
 * to the provider. Not a form: the page's CSP (`form-action 'self'`) would stop a form's redirect
 * to the provider. With ProConnect, its own button ("S'identifier avec ProConnect") and the link
 * "Qu'est-ce que ProConnect ?" as its usage rules ask.
 */
export function LoginButton({ preset, returnTo, wording, testId }: Props) {
  const { t } = useTranslation('auth');
  const proConnect = preset === 'proconnect';
  return (
    <div className={proConnect ? 'login proconnect' : 'login'}>
      {proConnect ? (
        <a className="proconnect-button" href={loginHref(returnTo)} data-testid={testId}>
          <span className="proconnect-login">{t('proconnect.loginWith')}</span> <span className="proconnect-brand">{t('proconnect.brand')}</span>
        </a>
      ) : (
        <a className="primary button-link" href={loginHref(returnTo)} data-testid={testId}>
          {t(`login.${wording}`)}
        </a>
      )}
      {proConnect && (
        <p className="hint">
          <a href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener noreferrer">
            {t('proconnect.what')}
            <span className="sr-only">{t('newWindow')}</span>
          </a>
        </p>
      )}
    </div>
  );
}
