import { AccountPanel } from './AccountPanel';
import { GoToRoomForm } from './GoToRoomForm';
import { LanguageSwitch } from './LanguageSwitch';
import { useMe } from './useMe';
import './account.css';

/**
 * `/`: the field to go to a room, and, where sign-in is configured, the agent's side (AUTH-10):
 * "Se connecter" signed out; signed in, their name, "Nouvelle réunion", "Mes salles" and
 * "Se déconnecter". Without sign-in the page is the field alone, as it always was.
 */
export function Home() {
  const [me] = useMe();
  return (
    <main className="center">
      <LanguageSwitch />
      <div className="home-column">
        <GoToRoomForm />
        {me && <AccountPanel me={me} />}
      </div>
    </main>
  );
}
