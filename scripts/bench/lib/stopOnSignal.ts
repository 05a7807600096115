/**
 * On SIGINT or SIGTERM (Ctrl-C, `timeout`), runs `cleanup` (bounded to 20 s) and exits 130, so
 * that a benchmark interrupted leaves no node, browser or database behind.
 */
export function stopOnSignal(cleanup: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping everything`);
    const hard = setTimeout(() => process.exit(130), 20_000);
    hard.unref();
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
