// Loads tls.crt / tls.key from the cert dir and reloads them when they change, without a restart.
// A mounted Secret changes by swapping the `..data` symlink, not by writing the files, so the
// directory is watched (fs.watch), and polled as well: inotify events can be lost, and the
// directory may not exist yet when the process starts. Reading the two files is not atomic; a pair
// read across a swap fails to match, is skipped, and the swap's own events bring a second read.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../src/kube/logger.ts';
import type { CertificateInfo, CertificatePair } from './serving-certificate.ts';

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';

export interface CertificateDirectoryOptions {
  dir: string;
  /** Applies a pair; returns false when it is the pair already in use; throws when it is unusable. */
  apply(pair: CertificatePair): boolean;
  /** The applied certificate, for the log line. */
  info(): CertificateInfo | undefined;
  log: Logger;
  /** Default 10 s. */
  pollIntervalMs?: number;
  /** Events arrive in bursts during a swap; wait this long for the burst to end. Default 100 ms. */
  debounceMs?: number;
}

export interface CertificateDirectory {
  /** Reads the directory now; resolves when done (whatever the result, which is logged). */
  reload(): Promise<void>;
  stop(): void;
}

export async function watchCertificateDirectory(options: CertificateDirectoryOptions): Promise<CertificateDirectory> {
  const { dir, log } = options;
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let lastProblem: string | undefined;
  let stopped = false;

  // Logs a problem once, not at every poll, and says when it is over.
  const problem = (message: string, fields: Record<string, unknown> = {}): void => {
    if (message !== lastProblem) log.warn({ dir, ...fields }, message);
    lastProblem = message;
  };

  const readOnce = async (): Promise<void> => {
    let pair: CertificatePair;
    try {
      const [cert, key] = await Promise.all([readFile(join(dir, CERT_FILE)), readFile(join(dir, KEY_FILE))]);
      pair = { cert, key };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problem(code === 'ENOENT' ? 'no serving certificate in the cert dir yet' : 'cannot read the serving certificate', { err: { message: (error as Error).message } });
      return;
    }
    try {
      if (options.apply(pair)) log.info({ dir, certificate: options.info() }, 'serving certificate loaded');
      else if (lastProblem !== undefined) log.info({ dir }, 'serving certificate in the cert dir usable again');
      lastProblem = undefined;
    } catch (error) {
      problem('serving certificate in the cert dir is unusable; keeping the current one', { err: { message: (error as Error).message } });
    }
  };

  // One read at a time; a request during a read runs once more after it.
  const reload = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await readOnce();
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  };

  const ensureWatching = (): void => {
    if (watcher || stopped) return;
    try {
      watcher = watch(dir, { persistent: false }, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => void reload(), options.debounceMs ?? 100);
      });
      watcher.on('error', (error) => {
        log.warn({ dir, err: { message: error.message } }, 'cert dir watch failed; polling until it can be watched again');
        watcher?.close();
        watcher = undefined;
      });
    } catch (error) {
      // Usually ENOENT before the Secret is mounted or written; the poll retries.
      log.debug({ dir, err: { message: (error as Error).message } }, 'cannot watch the cert dir yet');
    }
  };

  const poll = setInterval(() => {
    ensureWatching();
    void reload();
  }, options.pollIntervalMs ?? 10_000);
  poll.unref();

  ensureWatching();
  await reload();
  return {
    reload,
    stop() {
      stopped = true;
      clearInterval(poll);
      clearTimeout(debounce);
      watcher?.close();
      watcher = undefined;
    },
  };
}
