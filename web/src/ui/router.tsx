import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/**
 * A tiny client-side router on the history API. The server answers every console path with
 * index.html, so a reload or a pasted link lands on the same page.
 */

const NAVIGATE = 'conversa:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

const currentPath = () => window.location.pathname;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

export type Params = Record<string, string>;

/** Matches `/lists/:id/:tab?` against a path; returns the params or null. */
export function matchPath(pattern: string, path: string): Params | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  const params: Params = {};
  for (let i = 0; i < Math.max(want.length, have.length); i++) {
    const w = want[i];
    const h = have[i];
    if (w === undefined) return null;
    const optional = w.endsWith('?');
    if (w.startsWith(':')) {
      const name = w.slice(1).replace(/\?$/, '');
      if (h === undefined) {
        if (optional) continue;
        return null;
      }
      params[name] = decodeURIComponent(h);
    } else if (w !== h) {
      return null;
    }
  }
  return params;
}

export interface Route {
  path: string;
  render: (params: Params) => ReactNode;
}

/** Renders the first route whose pattern matches the current path. */
export function Routes({ routes, fallback }: { routes: Route[]; fallback: ReactNode }) {
  const path = usePath();
  for (const r of routes) {
    const params = matchPath(r.path, path);
    if (params) return <>{r.render(params)}</>;
  }
  return <>{fallback}</>;
}

export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** An anchor that navigates in-app on a plain left click and behaves as a link otherwise. */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
