/** Resolves on the first SIGINT or SIGTERM (Ctrl-C, `kill`, a service manager's stop). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // Keeps the event loop alive while nothing else is pending (cluster up --foreground).
    const keepAlive = setInterval(() => {}, 1 << 30);
    const on = (signal: NodeJS.Signals) => {
      clearInterval(keepAlive);
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
