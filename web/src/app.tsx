import { SessionGate, useSession } from './auth/session';
import { ListPage } from './contacts/list-page';
import { ListsPage } from './contacts/lists-page';
import { NewListPage } from './contacts/new-list-page';
import { FLOWS_NAV, FLOWS_ROUTES } from './flows/routes';
import { MESSAGING_NAV, MESSAGING_ROUTES } from './messaging/routes';
import { OTP_NAV, OTP_ROUTES } from './otp/routes';
import { Button, EmptyState } from './ui/controls';
import { Shell, type NavItem } from './ui/layout';
import { Link, Redirect, Routes } from './ui/router';

const NAV: NavItem[] = [{ to: '/lists', label: 'Contacts', icon: '☰' }, ...FLOWS_NAV, ...MESSAGING_NAV, ...OTP_NAV];

function UserBox() {
  const { session, logout } = useSession();
  return (
    <div className="user-box">
      <div className="user-account" title={session.account_id}>{session.account_name ?? session.account_id}</div>
      <div className="user-role">{session.role}</div>
      <Button variant="ghost" className="btn-small" onClick={() => void logout()} data-testid="logout">Sign out</Button>
    </div>
  );
}

function NotFound() {
  return (
    <EmptyState title="This page does not exist">
      <Link to="/lists">Go to your lists</Link>
    </EmptyState>
  );
}

export function App() {
  return (
    <SessionGate>
      <Shell nav={NAV} user={<UserBox />}>
        <Routes
          fallback={<NotFound />}
          routes={[
            { path: '/', render: () => <Redirect to="/lists" /> },
            { path: '/login', render: () => <Redirect to="/lists" /> },
            { path: '/lists', render: () => <ListsPage /> },
            { path: '/lists/new', render: () => <NewListPage /> },
            { path: '/lists/:id/:tab?/:sub?', render: (p) => <ListPage key={p.id} id={p.id ?? ''} tab={p.tab} sub={p.sub} /> },
            ...FLOWS_ROUTES,
            ...MESSAGING_ROUTES,
            ...OTP_ROUTES,
          ]}
        />
      </Shell>
    </SessionGate>
  );
}
