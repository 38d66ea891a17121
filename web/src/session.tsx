import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ok, setCsrfToken, whenSessionEnds, type Account } from './api/client';

/**
 * Who is logged in. The session itself is the server's httpOnly cookie; the app keeps the
 * account and the session's CSRF token (from POST /api/session or GET /api/me) in memory.
 */

export type Role = Account['role'];

interface SessionState {
  /** undefined while the first GET /api/me is on its way. */
  account: Account | null | undefined;
  /** Why the last session ended, shown on the login screen. */
  ended: string | undefined;
  login(login: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** The server ended the session on purpose (a password change): back to the login, saying why. */
  endSession(message: string): void;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [account, setAccount] = useState<Account | null | undefined>(undefined);
  const [ended, setEnded] = useState<string | undefined>(undefined);

  useEffect(() => {
    whenSessionEnds(() => {
      setCsrfToken(undefined);
      setAccount((current) => {
        // Only a session that was there can end; a stale tab at the login screen stays quiet.
        // The server's detail is written for API callers ("log in again"): one sentence here.
        if (current) setEnded('Your session has ended; log in again to go back to where you were.');
        return null;
      });
    });
    let live = true;
    api.GET('/api/me').then(({ data }) => {
      if (!live) return;
      setCsrfToken(data?.csrfToken);
      setAccount(data ? data.account : null);
    }, () => live && setAccount(null));
    return () => {
      live = false;
    };
  }, []);

  const login = useCallback(async (loginName: string, password: string) => {
    const me = await ok(api.POST('/api/session', { body: { login: loginName, password } }));
    setCsrfToken(me.csrfToken);
    setEnded(undefined);
    setAccount(me.account);
  }, []);

  const logout = useCallback(async () => {
    await api.DELETE('/api/session').catch(() => undefined);
    setCsrfToken(undefined);
    setEnded(undefined);
    setAccount(null);
  }, []);

  const endSession = useCallback((message: string) => {
    setCsrfToken(undefined);
    setEnded(message);
    setAccount(null);
  }, []);

  const value = useMemo(() => ({ account, ended, login, logout, endSession }), [account, ended, login, logout, endSession]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The logged-in account (screens behind the login only). */
export function useAccount(): Account {
  const { account } = useSession();
  if (!account) throw new Error('no account');
  return account;
}

/**
 * The screen to open after logging in: the login's `?next=` (the screen the person was on), if
 * it is a path of this app — a single leading `/`, never `//host`, `/\host` or a full URL, so
 * the login is no open redirect —, else undefined (the role's home).
 */
export function nextAfterLogin(search: string): string | undefined {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  let url: URL;
  try {
    url = new URL(next, window.location.origin);
  } catch {
    return undefined;
  }
  if (url.origin !== window.location.origin || url.pathname === '/login') return undefined;
  return url.pathname + url.search + url.hash;
}

/** The screen a role starts on. */
export function homeOf(role: Role): string {
  switch (role) {
    case 'rep':
      return '/day';
    case 'manager':
      return '/board';
    case 'ops':
      return '/processes';
    case 'admin':
      return '/users';
    case 'support':
      // Support works on the customer page (open and answer queries); its tasks are those queries.
      return '/customers';
    default:
      return '/board';
  }
}
