import { composeService, type Service } from './compose.js';
import type { Config } from './config.js';

/**
 * `cloudlink serve`: runs until a signal (clean exit, code 0) or a fatal error (one line, code 1),
 * whatever its standard input is. With neither Slack nor MCP HTTP configured nothing else would hold
 * the process open, so it holds itself.
 *
 * A signal is heard from the first moment, start-up included: a SIGTERM that arrives while the store is
 * opening, a key file is being written or the listeners are coming up lets that step finish, then
 * stops what started, in order, as a running service stops (nothing half-written, the store closed).
 * Start-up that does not finish within CLOUDLINK_DRAIN_SECONDS of the signal (a database that does not
 * answer) is abandoned (exit 1), and a second signal ends the process at once.
 *
 * Stopping is bounded too: the service waits up to CLOUDLINK_DRAIN_SECONDS for what is in flight, then
 * closes its parts; if it has not finished STOP_MARGIN_SECONDS after that, the process says what was
 * still open and exits 1 rather than hang a deploy (or a person at the terminal) on a part that does not
 * stop.
 */
export const STOP_MARGIN_SECONDS = 5;

/** What a service that does not finish stopping is still busy with, as far as it can tell. */
function stillOpen(s: Service): string {
  const parts: string[] = [];
  const running = s.engine.inFlight();
  if (running > 0) parts.push(`${running} operation${running === 1 ? ' was' : 's were'} still running`);
  const slack = s.slack?.pending?.();
  if (slack) parts.push(slack);
  return parts.length ? parts.join('; ') : 'a listener, the background work or the store did not close';
}

export async function serve(config: Config) {
  let service: Service | undefined;
  let stopping: string | undefined;
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const exit = (code: number) => {
    clearInterval(keepAlive);
    process.exit(code);
  };
  let startUpDeadline: NodeJS.Timeout | undefined;
  const stop = async (s: Service, signal: string) => {
    clearTimeout(startUpDeadline);
    s.log.info('cloudlink is stopping', { signal });
    const limit = config.CLOUDLINK_DRAIN_SECONDS + STOP_MARGIN_SECONDS;
    const bound = setTimeout(() => {
      process.stderr.write(
        `cloudlink: did not stop within ${limit} s of ${signal} (CLOUDLINK_DRAIN_SECONDS=${config.CLOUDLINK_DRAIN_SECONDS} plus ${STOP_MARGIN_SECONDS} s): ${stillOpen(s)}. Exiting without it (exit code 1). If it happens again, run with CLOUDLINK_LOG_LEVEL=debug to see what it was waiting for.\n`,
      );
      exit(1);
    }, limit * 1000).unref();
    try {
      await s.stop();
    } catch (e) {
      clearTimeout(bound);
      process.stderr.write(`cloudlink: could not stop cleanly (${(e as Error)?.message ?? e}); exiting (exit code 1). Check the log above for the part that failed.\n`);
      return exit(1);
    }
    clearTimeout(bound);
    exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`cloudlink: ${signal} again; stopping now, without waiting.\n`);
      return exit(1);
    }
    stopping = signal;
    if (service) return void stop(service, signal);
    process.stderr.write(`cloudlink: ${signal} during start-up; stopping once what is starting has started (${signal} again to stop at once).\n`);
    startUpDeadline = setTimeout(() => {
      process.stderr.write(`cloudlink: start-up did not finish within ${config.CLOUDLINK_DRAIN_SECONDS} s of ${signal}; stopping without it.\n`);
      exit(1);
    }, config.CLOUDLINK_DRAIN_SECONDS * 1000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // It opens the store before anything else: one it cannot open leaves nothing written beside it.
    service = await composeService(config);
  } catch (e) {
    // Asked to stop anyway: the start-up's failure is reported, as without a signal.
    clearInterval(keepAlive);
    throw e;
  }
  if (stopping) return stop(service, stopping);
  process.stderr.write(`\ncloudlink is running\n${service.lines.map((l) => `  ${l}`).join('\n')}\n\n`);
}
