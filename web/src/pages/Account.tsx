import { useState } from 'react';
import { api, ok } from '../api/client';
import { useAccount, useSession, type Role } from '../session';
import { Badge, Empty, ErrorBox, Loading, PageHeader, usePolled } from '../ui/common';
import { Field, FormMessage, SubmitButton, useForm } from '../ui/form';
import { formatDateTime } from '../ui/format';

const ROLES: readonly Role[] = ['rep', 'manager', 'ops', 'support', 'admin'];

/** The logged-in person's own account: API tokens (a new one's secret shown once) and the password. */
export function AccountPage() {
  const account = useAccount();
  return (
    <div className="page">
      <PageHeader title="My account" subtitle={[...new Set([account.login, account.role, account.personId, account.team ? `team ${account.team}` : undefined].filter(Boolean))].join(' · ')} />
      <Tokens />
      <ChangePassword />
    </div>
  );
}

function Tokens() {
  const account = useAccount();
  const tokens = usePolled(async () => ok(api.GET('/api/tokens', {})), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(account.role);
  const [secret, setSecret] = useState<{ name: string; token: string } | undefined>(undefined);
  const create = useForm(
    async () => {
      setSecret(undefined);
      const res = await ok(api.POST('/api/tokens', { body: { name, ...(role !== account.role ? { role } : {}) } }));
      setSecret({ name: res.info.name, token: res.token });
      setName('');
      return `Created ${res.info.name}`;
    },
    { onDone: tokens.reload },
  );
  const list = [...(tokens.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <section className="panel" aria-labelledby="tokens-h">
      <div className="panel-head">
        <h2 id="tokens-h">API tokens</h2>
        <span className="muted small">for scripts and integrations: `Authorization: Bearer …`, or SALESFLOW_TOKEN for the CLI</span>
      </div>
      <form className="panel-body stack" onSubmit={create.submit} aria-label="New API token">
        <div className="form-grid">
          <Field label="Token name" error={create.fieldError('name')} hint="what uses it, e.g. crm-sync">
            {(p) => <input {...p} name="token-name" value={name} onChange={(e) => setName(e.target.value)} required />}
          </Field>
          {account.role === 'admin' ? (
            <Field label="Token role" error={create.fieldError('role')} hint="an integration usually needs less">
              {(p) => (
                <select {...p} name="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : null}
        </div>
        <FormMessage form={{ ...create, done: undefined }} fields={['name', 'role']} />
        <div className="form-actions">
          <SubmitButton form={create}>Create token</SubmitButton>
        </div>
        {secret ? (
          <div className="secret-once" role="status" data-testid="new-token">
            <p>
              The token <strong>{secret.name}</strong>, shown only this once (only its hash is stored): copy it now.
            </p>
            <code className="secret">{secret.token}</code>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setSecret(undefined)}>
              Done, hide it
            </button>
          </div>
        ) : null}
      </form>
      {tokens.loading && !tokens.data ? (
        <Loading what="Loading tokens" />
      ) : tokens.error && !tokens.data ? (
        <ErrorBox error={tokens.error} />
      ) : list.length === 0 ? (
        <Empty title="No API tokens">The CLI's `salesflow login` makes one per machine; they show up here.</Empty>
      ) : (
        <div className="table-wrap">
          <table data-testid="tokens" className="cards-on-phone">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <TokenRow key={t.id} token={t} onChanged={tokens.reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TokenRow({ token, onChanged }: { token: { id: string; name: string; role: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }; onChanged: () => void }) {
  const revoke = useForm(
    async () => {
      await ok(api.DELETE('/api/tokens/{id}', { params: { path: { id: token.id } } }));
      return 'Revoked';
    },
    { onDone: onChanged },
  );
  return (
    <tr data-testid={`token-${token.name}`} className={token.revokedAt ? 'row-disabled' : undefined}>
      <td>{token.name}</td>
      <td data-label="Role">{token.role}</td>
      <td className="small" data-label="Created">
        {formatDateTime(token.createdAt)}
      </td>
      <td className="small" data-label="Last used">
        {token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'never'}
      </td>
      <td className="actions-cell">
        {token.revokedAt ? (
          <Badge tone="gray" title={`revoked ${formatDateTime(token.revokedAt)}`}>
            revoked
          </Badge>
        ) : (
          <form onSubmit={revoke.submit} aria-label={`Revoke ${token.name}`}>
            <SubmitButton form={revoke} kind="danger">
              Revoke
            </SubmitButton>
            <FormMessage form={{ ...revoke, done: undefined }} fields={[]} />
          </form>
        )}
      </td>
    </tr>
  );
}

/** A new password ends every session of the account (this one too): the login comes back. */
function ChangePassword() {
  const { endSession } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const form = useForm(async () => {
    // Two typings that differ are the one thing the browser checks itself: the server never sees the second.
    if (next !== again) throw new Error('the two new passwords differ');
    await ok(api.POST('/api/me/password', { body: { currentPassword: current, newPassword: next } }));
    endSession('Your password was changed and every session of the account ended. Log in with the new password.');
  });
  return (
    <section className="panel" aria-labelledby="password-h">
      <div className="panel-head">
        <h2 id="password-h">Password</h2>
        <span className="muted small">changing it logs you out everywhere</span>
      </div>
      <form className="panel-body stack" onSubmit={form.submit} aria-label="Change password">
        <div className="form-grid">
          <Field label="Current password" error={form.fieldError('currentPassword')}>
            {(p) => <input {...p} name="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />}
          </Field>
          <Field label="New password" error={form.fieldError('newPassword')}>
            {(p) => <input {...p} name="new-password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />}
          </Field>
          <Field label="New password again">
            {(p) => <input {...p} name="new-password-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />}
          </Field>
        </div>
        <FormMessage form={{ ...form, done: undefined }} fields={['currentPassword', 'newPassword']} />
        <div className="form-actions">
          <SubmitButton form={form}>Change password</SubmitButton>
        </div>
      </form>
    </section>
  );
}
