import { useState } from 'react';
import { api, ok, type User } from '../api/client';
import { useAccount, type Role } from '../session';
import { Badge, Empty, ErrorBox, Loading, PageHeader, usePolled, type Tone } from '../ui/common';
import { Field, FormMessage, SubmitButton, useForm } from '../ui/form';
import { formatDateTime } from '../ui/format';

const ROLES: readonly Role[] = ['rep', 'manager', 'ops', 'support', 'admin'];
const ROLE_TONES: Record<string, Tone> = { admin: 'red', ops: 'violet', manager: 'blue', rep: 'green', support: 'amber' };
const ROLE_HINTS: Record<string, string> = {
  rep: 'works their own prospects and tasks',
  manager: "sees the team's board and tasks, reassigns",
  ops: 'publishes processes, runs campaigns',
  support: 'answers support queries',
  admin: 'everything, and user accounts',
};

/** User accounts (admins): who may log in, as what; a new account's password is shown once. */
export function UsersPage() {
  const me = useAccount();
  const users = usePolled(async () => ok(api.GET('/api/users', {})), []);
  if (me.role !== 'admin') {
    return (
      <div className="page">
        <PageHeader title="Users" />
        <ErrorBox error={new Error('only an admin manages user accounts')} />
      </div>
    );
  }
  const list = [...(users.data ?? [])].sort((a, b) => a.login.localeCompare(b.login));
  return (
    <div className="page">
      <PageHeader title="Users" subtitle="Accounts that may log in, and what their role lets them do" />
      <NewUser onCreated={users.reload} />
      <section className="panel" aria-labelledby="users-h">
        <div className="panel-head">
          <h2 id="users-h">Accounts</h2>
          <span className="muted small">{users.data ? `${list.filter((u) => !u.disabledAt).length} active` : ''}</span>
        </div>
        {users.loading && !users.data ? (
          <Loading what="Loading accounts" />
        ) : users.error && !users.data ? (
          <ErrorBox error={users.error} />
        ) : list.length === 0 ? (
          <Empty title="No accounts" />
        ) : (
          <div className="table-wrap">
            <table data-testid="users" className="cards-on-phone">
              <thead>
                <tr>
                  <th>Login</th>
                  <th>Role</th>
                  <th>Person · team</th>
                  <th>Created</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <UserRow key={u.id} user={u} self={u.id === me.id} onChanged={users.reload} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function UserRow({ user, self, onChanged }: { user: User; self: boolean; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const form = useForm(
    async () => {
      await ok(api.POST('/api/users/{id}/disable', { params: { path: { id: user.id } }, body: {} }));
      setConfirming(false);
      return `${user.login} disabled`;
    },
    { onDone: onChanged },
  );
  return (
    <>
      <tr data-testid={`user-${user.login}`} className={user.disabledAt ? 'row-disabled' : undefined}>
        <td>
          <strong>{user.login}</strong>
          {user.displayName ? <div className="muted small">{user.displayName}</div> : null}
        </td>
        <td data-label="Role">
          <Badge tone={ROLE_TONES[user.role] ?? 'neutral'}>{user.role}</Badge>
        </td>
        <td className="small" data-label="Person · team">
          <div>
            {[user.personId, user.team].filter(Boolean).join(' · ') || '—'}
            {user.warnings.length > 0 ? <AccountWarnings warnings={user.warnings} /> : null}
          </div>
        </td>
        <td className="small" data-label="Created">
          {formatDateTime(user.createdAt)}
        </td>
        <td className="actions-cell">
          {user.disabledAt ? (
            <Badge tone="gray" title={`disabled ${formatDateTime(user.disabledAt)}`}>
              disabled
            </Badge>
          ) : editing ? null : confirming ? (
            <form className="row" onSubmit={form.submit} aria-label={`Disable ${user.login}`}>
              <SubmitButton form={form} kind="danger">
                Disable {user.login}
              </SubmitButton>
              <button type="button" className="btn btn-secondary btn-small" onClick={() => setConfirming(false)}>
                Keep
              </button>
              <FormMessage form={{ ...form, done: undefined }} fields={[]} />
            </form>
          ) : (
            <div className="row">
              <button type="button" className="btn btn-secondary btn-small" onClick={() => setEditing(true)} aria-label={`Edit ${user.login}…`}>
                Edit…
              </button>
              {self ? (
                <span className="muted small">you</span>
              ) : (
                <button type="button" className="btn btn-secondary btn-small" onClick={() => setConfirming(true)} aria-label={`Disable ${user.login}…`}>
                  Disable…
                </button>
              )}
            </div>
          )}
        </td>
      </tr>
      {editing ? (
        <tr data-testid={`edit-${user.login}`}>
          <td colSpan={5}>
            <EditUser
              user={user}
              onClose={() => setEditing(false)}
              onSaved={() => {
                setEditing(false);
                onChanged();
              }}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * An account's person id (who it acts as: a rep's inbox, the `by` of its commands), team and
 * name; an emptied field clears it. Not its role: disable the account and create another.
 */
function EditUser({ user, onClose, onSaved }: { user: User; onClose: () => void; onSaved: () => void }) {
  const [v, setV] = useState({ personId: user.personId ?? '', team: user.team ?? '', displayName: user.displayName ?? '' });
  const form = useForm(
    async () => {
      const body = { personId: v.personId.trim() || null, team: v.team.trim() || null, displayName: v.displayName.trim() || null };
      const res = await ok(api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body }));
      return `${res.login} saved`;
    },
    { onDone: onSaved },
  );
  const input = (key: keyof typeof v, label: string, hint: string) => (
    <Field label={label} error={form.fieldError(key)} hint={hint}>
      {(p) => <input {...p} name={key} value={v[key]} onChange={(e) => setV({ ...v, [key]: e.target.value })} />}
    </Field>
  );
  return (
    <form className="stack" onSubmit={form.submit} aria-label={`Edit ${user.login}`}>
      <div className="form-grid">
        {input('personId', 'Person id', 'their id in the process: a rep has a task inbox by it')}
        {input('team', 'Team', "a manager's team")}
        {input('displayName', 'Display name', 'empty: none')}
      </div>
      <FormMessage form={{ ...form, done: undefined }} fields={Object.keys(v)} />
      <div className="form-actions">
        <SubmitButton form={form}>Save {user.login}</SubmitButton>
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** What would leave an account seeing nothing (a rep with no person id, a team no process has), as the server says it. */
function AccountWarnings({ warnings }: { warnings: readonly string[] }) {
  return (
    <ul className="account-warnings" aria-label="Check this account">
      {warnings.map((w) => (
        <li key={w}>{w}</li>
      ))}
    </ul>
  );
}

/** The create form; the server generates a password when none is typed, and it is shown here once. */
function NewUser({ onCreated }: { onCreated: () => void }) {
  const empty = { login: '', displayName: '', role: 'rep' as Role, personId: '', team: '', password: '' };
  const [v, setV] = useState(empty);
  const [created, setCreated] = useState<{ login: string; role: string; password?: string; warnings: string[] } | undefined>(undefined);
  const form = useForm(
    async () => {
      setCreated(undefined);
      const body = {
        login: v.login,
        role: v.role,
        ...(v.displayName ? { displayName: v.displayName } : {}),
        ...(v.personId ? { personId: v.personId } : {}),
        ...(v.team ? { team: v.team } : {}),
        ...(v.password ? { password: v.password } : {}),
      };
      const res = await ok(api.POST('/api/users', { body }));
      setCreated({ login: res.login, role: res.role, warnings: res.warnings, ...(res.generatedPassword ? { password: res.generatedPassword } : {}) });
      // Back to a rep, the account made most often: keeping the last role made the next rep an ops or admin by accident.
      setV(empty);
      return `Created ${res.login}`;
    },
    { onDone: onCreated },
  );
  const input = (key: Exclude<keyof typeof v, 'role'>, label: string, extra: Record<string, unknown> = {}, hint?: string) => (
    <Field label={label} error={form.fieldError(key)} {...(hint ? { hint } : {})}>
      {(p) => <input {...p} {...extra} name={key} value={v[key]} onChange={(e) => setV({ ...v, [key]: e.target.value })} />}
    </Field>
  );
  return (
    <form className="panel" onSubmit={form.submit} aria-label="New user">
      <div className="panel-head">
        <h2>New user</h2>
      </div>
      <div className="panel-body stack">
        <div className="form-grid">
          {input('login', 'Login', { required: true, autoComplete: 'off', placeholder: 'e.g. alice' })}
          {input('displayName', 'Display name', { placeholder: 'e.g. Alice Adams' })}
          <Field label="Role" error={form.fieldError('role')} hint={ROLE_HINTS[v.role]}>
            {(p) => (
              <select {...p} name="role" value={v.role} onChange={(e) => setV({ ...v, role: e.target.value as Role })}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {input('personId', 'Person id', { placeholder: 'e.g. alice' }, 'their id in the process (a rep or manager)')}
          {input('team', 'Team', { placeholder: 'e.g. north' }, "a manager's team")}
          {input('password', 'Password (optional)', { type: 'password', autoComplete: 'new-password' }, 'empty: one is generated and shown once')}
        </div>
        <FormMessage form={{ ...form, done: undefined }} fields={Object.keys(v)} />
        <div className="form-actions">
          <SubmitButton form={form}>Create user</SubmitButton>
        </div>
        {created ? (
          <div className="secret-once" role="status" data-testid="created-user">
            <p>
              <strong>{created.login}</strong> ({created.role}) can log in now.
            </p>
            {created.warnings.length > 0 ? <AccountWarnings warnings={created.warnings} /> : null}
            {created.password ? (
              <>
                <p>Their password, shown only this once (only its hash is stored): pass it on now.</p>
                <code className="secret" data-testid="generated-password">
                  {created.password}
                </code>
              </>
            ) : (
              <p>With the password you typed.</p>
            )}
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setCreated(undefined)}>
              Done, hide it
            </button>
          </div>
        ) : null}
      </div>
    </form>
  );
}
