import type { Role } from '../../domain/accounts/accounts';
import { DomainError } from '../../domain/shared/errors';
import type { ApiClient } from '../shared/apiClient';

export interface AccountView {
  id: string;
  login: string;
  displayName: string | null;
  role: Role;
  personId: string | null;
  team: string | null;
  createdAt: string;
  disabledAt: string | null;
}

/** An account as the user routes answer it: with what would leave it seeing nothing. */
export interface UserView extends AccountView {
  warnings: string[];
}

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Me {
  account: AccountView;
  role: Role;
  via: 'session' | 'token';
  csrfToken?: string;
}

/** Accounts, the caller's own session and tokens, through the salesflow server's API. */
export class AccountsApi {
  constructor(private readonly api: ApiClient) {}

  me(): Promise<Me> {
    return this.api.get('/me');
  }

  /** Without a password the server generates one and returns it this once. */
  createUser(user: { login: string; role: Role; password?: string; personId?: string; team?: string; displayName?: string }): Promise<UserView & { generatedPassword?: string }> {
    return this.api.post('/users', user);
  }

  users(): Promise<UserView[]> {
    return this.api.get('/users');
  }

  /** Changes an account's person id, team or display name (null clears one). */
  async updateUser(login: string, change: { personId?: string | null; team?: string | null; displayName?: string | null }): Promise<UserView> {
    const user = (await this.users()).find((u) => u.login === login.toLowerCase() || u.login === login);
    if (!user) throw new DomainError(`no user "${login}"`);
    return this.api.patch(`/users/${user.id}`, change);
  }

  async disableUser(login: string): Promise<AccountView> {
    const user = (await this.users()).find((u) => u.login === login.toLowerCase() || u.login === login);
    if (!user) throw new DomainError(`no user "${login}"`);
    return this.api.post(`/users/${user.id}/disable`, {});
  }

  createToken(name: string, role?: Role): Promise<{ token: string; info: TokenView }> {
    return this.api.post('/tokens', { name, ...(role ? { role } : {}) });
  }

  tokens(): Promise<TokenView[]> {
    return this.api.get('/tokens');
  }

  revokeToken(id: string): Promise<void> {
    return this.api.delete(`/tokens/${encodeURIComponent(id)}`);
  }

  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return this.api.post('/me/password', { currentPassword, newPassword });
  }

  /**
   * Logs in with a password and trades the session for an API token of its own (the CLI
   * keeps a token, not a cookie: it is revocable by itself and needs no CSRF header), then
   * ends the session.
   */
  async loginForToken(login: string, password: string, tokenName: string): Promise<{ token: string; info: TokenView; me: Me }> {
    const { body: me, headers } = await this.api.exchange<Me>('POST', '/session', { body: { login, password } });
    const cookie = /salesflow_session=[^;]+/.exec(headers.get('set-cookie') ?? '')?.[0];
    if (!cookie || !me.csrfToken) throw new Error('the server logged in without a session cookie; is this a salesflow server?');
    const session = { cookie, 'x-csrf-token': me.csrfToken };
    const { token, info } = await this.api.request<{ token: string; info: TokenView }>('POST', '/tokens', { body: { name: tokenName }, headers: session });
    await this.api.request('DELETE', '/session', { headers: session });
    return { token, info, me };
  }
}
