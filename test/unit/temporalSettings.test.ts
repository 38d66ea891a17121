import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTemporal, loadTemporalSettings } from '../../client/shared/temporalConnection';

/**
 * The Temporal connection as the worker and server load it: a profile of a TOML config file
 * (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE) under the TEMPORAL_* variables, through
 * @temporalio/envconfig; bad settings are refused by name.
 */

const dir = mkdtempSync(join(tmpdir(), 'salesflow-envconfig-'));
const file = join(dir, 'temporal.toml');
const ca = join(dir, 'ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
writeFileSync(
  file,
  `[profile.default]
address = "127.0.0.1:7233"

[profile.cloud]
address = "sales.a1b2c.tmprl.cloud:7233"
namespace = "sales.a1b2c"
api_key = "key-from-file"

[profile.mtls]
address = "temporal.internal:7233"
namespace = "sales"
[profile.mtls.tls]
server_ca_cert_path = "${ca}"
server_name = "temporal.internal"

[profile.broken]
address = "https://temporal.internal"
`,
);
// No file anywhere by default: the test must not read the developer's own config.
const base = { TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') };

test('nothing set: the local dev server, plain text', () => {
  const s = loadTemporalSettings(base);
  expect(s).toEqual({ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'default', temporalConnection: {} });
  expect(describeTemporal(s)).toBe('127.0.0.1:7233 (namespace default, plain text)');
});

test('a profile with an API key turns TLS on (Temporal Cloud); variables override the file', () => {
  const cloud = loadTemporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
  expect(cloud).toMatchObject({ TEMPORAL_ADDRESS: 'sales.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'sales.a1b2c', temporalConnection: { apiKey: 'key-from-file', tls: true } });
  expect(describeTemporal(cloud)).toBe('sales.a1b2c.tmprl.cloud:7233 (namespace sales.a1b2c, TLS, API key)');
  const overridden = loadTemporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'other.a1b2c', TEMPORAL_API_KEY: 'key-from-env' });
  expect(overridden).toMatchObject({ TEMPORAL_NAMESPACE: 'other.a1b2c', temporalConnection: { apiKey: 'key-from-env' } });
});

test('TLS from a profile and from TEMPORAL_TLS_* variables loads the certificates', () => {
  const mtls = loadTemporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' });
  const tls = mtls.temporalConnection.tls as { serverNameOverride?: string; serverRootCACertificate?: Uint8Array };
  expect(tls.serverNameOverride).toBe('temporal.internal');
  expect(Buffer.from(tls.serverRootCACertificate!).toString()).toContain('BEGIN CERTIFICATE');
  const fromEnv = loadTemporalSettings({ ...base, TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'PEM', TEMPORAL_TLS_CLIENT_CERT_DATA: 'CRT', TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY' });
  const envTls = fromEnv.temporalConnection.tls as { clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
  expect(Buffer.from(envTls.clientCertPair!.crt).toString()).toBe('CRT');
  expect(describeTemporal(fromEnv)).toBe('h:7233 (namespace default, mTLS)');
  expect(loadTemporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls', TEMPORAL_TLS: '0' }).temporalConnection.tls).toBe(false);
});

test.each([
  [{ TEMPORAL_ADDRESS: 'http://temporal:7233' }, /TEMPORAL_ADDRESS: must be host:port/],
  [{ TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS: must be 1, 0, true or false/],
  [{ TEMPORAL_TLS_CLIENT_CERT_PATH: '/x.pem' }, /TEMPORAL_TLS_CLIENT_KEY_PATH: a TLS client certificate needs its key/],
  [{ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/a', TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'b' }, /give TEMPORAL_TLS_SERVER_CA_CERT_PATH or TEMPORAL_TLS_SERVER_CA_CERT_DATA, not both/],
  [{ TEMPORAL_API_KEY: '' }, /TEMPORAL_API_KEY: must not be empty/],
  [{ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }, /TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: not supported: .*TEMPORAL_TLS_SERVER_NAME/],
  [{ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }, /bad Temporal configuration \(config file .*\): Profile 'staging' not found/],
  [{ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'broken' }, /address "https:\/\/temporal.internal" of profile broken must be host:port/],
  [{ ...base, TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') }, /bad Temporal configuration.*ENOENT.*missing\.pem/],
])('refused with the setting named: %j', (env, message) => {
  expect(() => loadTemporalSettings({ ...base, ...env })).toThrow(message);
});

test('a config file that is not TOML is refused with its path', () => {
  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, '[profile.default\naddress = ');
  expect(() => loadTemporalSettings({ TEMPORAL_CONFIG_FILE: bad })).toThrow(/bad Temporal configuration \(config file .*bad\.toml\)/);
});
