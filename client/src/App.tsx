import { Home } from './ui/Home';
import { RoomPage } from './ui/RoomPage';

/** `/room/:roomId` is a meeting; anything else is the home page. */
export function App() {
  const match = /^\/room\/([^/]+)\/?$/.exec(window.location.pathname);
  if (!match) return <Home />;
  let roomId: string;
  try {
    roomId = decodeURIComponent(match[1]!);
  } catch {
    return <Home />;
  }
  return <RoomPage roomId={roomId} />;
}
