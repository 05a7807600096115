/** What a guest sees while waiting in the lobby (LOBBY-1): no peers, no media, just the wait. */
export function LobbyScreen({ roomId, onLeave }: { roomId: string; onLeave: () => void }) {
  return (
    <main className="center">
      <div className="card" data-testid="lobby-waiting" aria-live="polite">
        <h1>Waiting to be let in</h1>
        <p className="hint">The meeting “{roomId}” has a waiting room. A host will let you in shortly.</p>
        <div className="actions">
          <button type="button" data-testid="lobby-leave" onClick={onLeave}>
            Leave
          </button>
        </div>
      </div>
    </main>
  );
}
