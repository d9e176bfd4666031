import type { ReactNode } from 'react';
import { Link, usePath } from './router';

export interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
}

/** The console's frame: the left navigation, the signed-in user, the page. */
export function Shell({ nav, user, children }: { nav: NavItem[]; user: ReactNode; children: ReactNode }) {
  const path = usePath();
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden>C</span>
          <span className="brand-name">Conversa</span>
        </div>
        <nav className="nav" aria-label="Main">
          {nav.map((item) => {
            const active = path === item.to || path.startsWith(`${item.to}/`);
            return (
              <Link key={item.to} to={item.to} className={`nav-item ${active ? 'active' : ''}`} aria-current={active ? 'page' : undefined}>
                <span className="nav-icon" aria-hidden>{item.icon}</span>
                {item.label}
              </Link>
            );
          })}
        </nav>
        <div className="sidebar-footer">{user}</div>
      </aside>
      <main className="main">{children}</main>
    </div>
  );
}

export function PageHeader({ title, subtitle, actions, breadcrumb }: {
  title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; breadcrumb?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        {breadcrumb && <div className="breadcrumb">{breadcrumb}</div>}
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <div className="card-header">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}

export interface Tab {
  key: string;
  label: string;
  to: string;
}

export function Tabs({ tabs, active }: { tabs: Tab[]; active: string }) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map((t) => (
        <Link key={t.key} to={t.to} role="tab" aria-selected={t.key === active} className={`tab ${t.key === active ? 'active' : ''}`} data-testid={`tab-${t.key}`}>
          {t.label}
        </Link>
      ))}
    </div>
  );
}
