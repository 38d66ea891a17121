import { lazy, Suspense, useState } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router-dom';
import { homeOf, nextAfterLogin, useAccount, useSession, type Role } from './session';
import type { Account } from './api/client';
import { Loading } from './ui/common';
import { userTimeZone } from './ui/format';
import { LoginPage } from './pages/Login';
import { MyDayPage } from './pages/MyDay';
import { ProspectsPage } from './pages/Prospects';
import { ImportProspectsPage } from './pages/ImportProspects';
import { ProspectPage } from './pages/Prospect';
import { CustomersPage } from './pages/Customers';
import { CustomerPage } from './pages/Customer';
import { RenewalsPage } from './pages/Renewals';
import { BoardPage } from './pages/Board';
import { TeamTasksPage } from './pages/TeamTasks';
import { ProcessesPage } from './pages/Processes';
import { ProcessPage } from './pages/Process';
import { CampaignsPage } from './pages/Campaigns';
import { NewCampaignPage } from './pages/NewCampaign';
import { CampaignPage } from './pages/Campaign';
import { SuppressionsPage } from './pages/Suppressions';
import { UsersPage } from './pages/Users';
import { AccountPage } from './pages/Account';
// The charts library is most of the dashboard's weight: loaded when the dashboard is opened.
const DashboardPage = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.DashboardPage })));

/** Routes: keep WEB_APP_ROUTES in server/webApp.ts in step, so a reload of any screen works. */

interface NavItem {
  to: string;
  label: string;
  roles: readonly Role[];
  /** Offered to these roles only when this holds for the account. */
  when?: (account: Account) => boolean;
}

const NAV: NavItem[] = [
  // A task inbox for whoever acts as a person: a manager gets going-cold accounts and
  // escalations, an admin or support person their own tasks. A rep always (without a person
  // id the page says how to get one); anyone else without one would find it empty.
  { to: '/day', label: 'My day', roles: ['rep', 'manager', 'ops', 'admin', 'support'], when: (a) => a.role === 'rep' || Boolean(a.personId) },
  { to: '/prospects', label: 'Prospects', roles: ['rep', 'manager', 'ops', 'admin', 'support'] },
  { to: '/customers', label: 'Customers', roles: ['rep', 'manager', 'ops', 'admin', 'support'] },
  { to: '/renewals', label: 'Renewals', roles: ['rep', 'manager', 'ops', 'admin'] },
  { to: '/board', label: 'Pipeline board', roles: ['manager', 'ops', 'admin'] },
  { to: '/dashboard', label: 'Dashboard', roles: ['manager', 'ops', 'admin', 'rep'] },
  { to: '/team-tasks', label: 'Team tasks', roles: ['manager', 'admin'] },
  { to: '/processes', label: 'Processes', roles: ['ops', 'admin', 'manager'] },
  { to: '/campaigns', label: 'Campaigns', roles: ['ops', 'admin'] },
  { to: '/suppressions', label: 'Suppression list', roles: ['ops', 'admin'] },
  { to: '/users', label: 'Users', roles: ['admin'] },
  { to: '/account', label: 'My account', roles: ['rep', 'manager', 'ops', 'admin', 'support'] },
];

export function App() {
  const { account, ended } = useSession();
  const location = useLocation();
  if (account === undefined) return <Loading what="Starting salesflow" />;
  if (account === null) {
    if (location.pathname !== '/login') {
      const next = location.pathname + location.search;
      return <Navigate to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace state={{ ended }} />;
    }
    return <LoginPage />;
  }
  return <Shell />;
}

/** Logged in at /login: on to the screen the person was on (`?next=`), else their role's home. */
function BackFromLogin({ role }: { role: Role }) {
  const location = useLocation();
  return <Navigate to={nextAfterLogin(location.search) ?? homeOf(role)} replace />;
}

function Shell() {
  const account = useAccount();
  const { logout } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const items = NAV.filter((n) => n.roles.includes(account.role) && (n.when?.(account) ?? true));
  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          salesflow
          <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((o) => !o)}>
            Menu
          </button>
        </div>
        <nav id="main-nav" aria-label="Main" onClick={() => setMenuOpen(false)}>
          {items.map((n) => (
            <NavLink key={n.to} to={n.to} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
              {n.label}
            </NavLink>
          ))}
        </nav>
        <div className="who">
          <div className="who-name">{account.displayName ?? account.login}</div>
          <div className="who-role">
            {account.role}
            {account.team ? ` · ${account.team}` : ''}
            {account.personId ? ` · ${account.personId}` : ''}
          </div>
          <div className="who-zone" title="Times are shown in this time zone">
            {userTimeZone}
          </div>
          <button type="button" className="btn btn-secondary btn-small" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Navigate to={homeOf(account.role)} replace />} />
          <Route path="/login" element={<BackFromLogin role={account.role} />} />
          <Route path="/day" element={<MyDayPage />} />
          <Route path="/prospects" element={<ProspectsPage />} />
          <Route path="/prospects/import" element={<ImportProspectsPage />} />
          <Route path="/prospects/:id" element={<ProspectPage />} />
          <Route path="/customers" element={<CustomersPage />} />
          <Route path="/customers/:id" element={<CustomerPage />} />
          <Route path="/renewals" element={<RenewalsPage />} />
          <Route path="/board" element={<BoardPage />} />
          <Route path="/dashboard" element={<Suspense fallback={<Loading what="Loading the dashboard" />}><DashboardPage /></Suspense>} />
          <Route path="/team-tasks" element={<TeamTasksPage />} />
          <Route path="/processes" element={<ProcessesPage />} />
          <Route path="/processes/:name" element={<ProcessPage />} />
          <Route path="/campaigns" element={<CampaignsPage />} />
          <Route path="/campaigns/new" element={<NewCampaignPage />} />
          <Route path="/campaigns/:id" element={<CampaignPage />} />
          <Route path="/suppressions" element={<SuppressionsPage />} />
          <Route path="/users" element={<UsersPage />} />
          <Route path="/account" element={<AccountPage />} />
          <Route path="*" element={<div className="page"><h1>Not found</h1><p>There is no screen at this address.</p></div>} />
        </Routes>
      </main>
    </div>
  );
}
