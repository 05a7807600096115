import { useTranslation } from 'react-i18next';

/**
 * AUTH-11: "Se déconnecter" is a real form POST (a navigation, not a fetch): the server ends the
 * session, then sends the browser to the provider's end-session page, which comes back home.
 */
export function LogoutButton() {
  const { t } = useTranslation('auth');
  return (
    <form method="post" action="/auth/logout">
      <button type="submit" className="secondary" data-testid="logout">
        {t('home.logout')}
      </button>
    </form>
  );
}
