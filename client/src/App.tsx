import { roomIdOf } from './media/roomIdOf';
import { AuthErrorPage } from './ui/AuthErrorPage';
import { Home } from './ui/Home';
import { RoomPage } from './ui/RoomPage';

/**
 * `/room/:roomId` is a meeting (`/room/Réunion d'équipe` too: NAME-1); `/connexion/erreur` says why
 * a sign-in failed (AUTH-14); anything else is the home page.
 */
export function App() {
  if (/^\/connexion\/erreur\/?$/.test(window.location.pathname)) return <AuthErrorPage />;
  const match = /^\/room\/([^/]+)\/?$/.exec(window.location.pathname);
  if (!match) return <Home />;
  let roomId: string | null;
  try {
    roomId = roomIdOf(decodeURIComponent(match[1]!));
  } catch {
    return <Home />;
  }
  return roomId ? <RoomPage roomId={roomId} /> : <Home />;
}
