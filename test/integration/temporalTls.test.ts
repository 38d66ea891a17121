import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { randomUUID } from 'node:crypto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadTemporalSettings, openTemporalClient, TemporalUnavailable } from '../../client/shared/temporalConnection';
import { SalesflowClient } from '../../client/pipeline/salesflowClient';
import { MailSink } from '../../scripts/mailSink';
import { createSalesflowWorker } from '../../worker/worker';
import { bundlePath, quietRuntime } from '../helpers/temporal';
import { freshDatabase, type TestDatabase } from '../helpers/database';

/**
 * A secured Temporal, as a self-hosted cluster with mTLS is: `temporal server start-dev`
 * has no TLS flags, so the run's dev server sits behind a TLS-terminating proxy that wants
 * a client certificate signed by the test's own CA (all made by openssl at test time). The
 * worker (NativeConnection) and the client (the server's Connection) reach it only through
 * the TEMPORAL_TLS_* settings, loaded the way worker/main.ts and server/main.ts load them.
 */

const dir = mkdtempSync(join(tmpdir(), 'salesflow-tls-'));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A CA, a server certificate for temporal.test, and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=salesflow test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  for (const [name, cn, ext] of [
    ['server', 'temporal.test', 'subjectAltName=DNS:temporal.test\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'],
    ['client', 'salesflow-worker', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n'],
  ] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), ext);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
}

let proxy: TlsServer;
let proxyAddress: string;
/** Common names of the client certificates the proxy let through. */
const clients: string[] = [];
let sink: MailSink;
let database: TestDatabase;

beforeAll(async () => {
  quietRuntime();
  makeCertificates();
  const [host, port] = (process.env.SALESFLOW_TEST_TEMPORAL_ADDRESS ?? '').split(':');
  proxy = createTlsServer(
    {
      key: readFileSync(file('server.key')),
      cert: readFileSync(file('server.pem')),
      ca: readFileSync(file('ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
      // gRPC is HTTP/2: both SDK clients insist on it being negotiated.
      ALPNProtocols: ['h2'],
    },
    (socket: TLSSocket) => {
      clients.push(String(socket.getPeerCertificate().subject?.CN));
      const upstream = netConnect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      const end = () => (socket.destroy(), upstream.destroy());
      socket.on('error', end);
      upstream.on('error', end);
    },
  );
  proxy.on('tlsClientError', () => undefined); // refused handshakes are the point of one test
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const bound = proxy.address();
  proxyAddress = `127.0.0.1:${typeof bound === 'object' && bound ? bound.port : 0}`;
  sink = await new MailSink().start();
  database = await freshDatabase();
});
afterAll(async () => {
  await sink?.stop();
  await database?.drop();
  await new Promise((resolve) => proxy?.close(resolve));
});

/** The environment an operator would set for a cluster with mTLS (no config file of the developer's read). */
function tlsEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    TEMPORAL_CONFIG_FILE: file('none.toml'),
    TEMPORAL_ADDRESS: proxyAddress,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem'),
    // The certificate names temporal.test; the proxy is reached by its IP.
    TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key'),
    ...overrides,
  };
}

test('the worker and the client reach Temporal over mTLS with TEMPORAL_TLS_* settings, and a prospect command runs', async () => {
  const settings = loadTemporalSettings(tlsEnv());
  const taskQueue = `tls-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS, ...settings.temporalConnection });
  let worker: Worker | undefined;
  let close = () => undefined as void;
  let running: Promise<void> | undefined;
  const sales = await SalesflowClient.connect({ ...settings, SALESFLOW_TASK_QUEUE: taskQueue });
  try {
    ({ worker, close } = await createSalesflowWorker({
      connection,
      config: { ...settings, SALESFLOW_TASK_QUEUE: taskQueue, SMTP_URL: sink.url, MAIL_FROM: 'salesflow-test <salesflow@localhost>', SMTP_POOL_SIZE: 1, SALESFLOW_DEV_STACK: true },
      db: database.db,
      workflowBundle: { codePath: bundlePath() },
    }));
    running = worker.run();
    const id = `tls-${Date.now().toString(36)}`;
    const made = await sales.createProspect({ id, name: 'Tess Ls', rep: 'alice' });
    expect(made.created).toBe(true);
    const after = await sales.command(id, 'logContact', { channel: 'call', by: 'alice' });
    expect(after.contacts).toHaveLength(1);
    // Both connections went through the proxy with the client certificate.
    expect(clients.filter((cn) => cn === 'salesflow-worker').length).toBeGreaterThanOrEqual(2);
  } finally {
    worker?.shutdown();
    await running;
    close();
    await sales.close();
    await connection.close();
  }
});

test('without the CA the server certificate is not trusted; without a client certificate the cluster refuses', async () => {
  const noCa = loadTemporalSettings(tlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: undefined, TEMPORAL_TLS: '1' }));
  const refused = openTemporalClient({ ...noCa, SALESFLOW_TASK_QUEUE: 'none' });
  await expect(refused).rejects.toThrow(TemporalUnavailable);
  await expect(refused).rejects.toThrow(`cannot reach Temporal at ${proxyAddress}`);
  const noCert = loadTemporalSettings(tlsEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: undefined, TEMPORAL_TLS_CLIENT_KEY_PATH: undefined }));
  await expect(NativeConnection.connect({ address: noCert.TEMPORAL_ADDRESS, ...noCert.temporalConnection })).rejects.toThrow();
  // And plain text to a TLS port is no connection either.
  await expect(openTemporalClient({ TEMPORAL_ADDRESS: proxyAddress, TEMPORAL_NAMESPACE: 'default', SALESFLOW_TASK_QUEUE: 'none' })).rejects.toThrow(TemporalUnavailable);
});
