import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { onUnauthorized } from '../ui/api';
import { ErrorBanner, Spinner } from '../ui/controls';
import { fetchSession, logout as apiLogout, type Session } from './api';
import { LoginPage } from './login-page';

interface SessionContextValue {
  session: Session;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside <SessionGate>');
  return ctx;
}

type State = { kind: 'loading' } | { kind: 'anonymous' } | { kind: 'error'; error: unknown } | { kind: 'ready'; session: Session };

/** Renders its children for a logged-in user and the login page otherwise. */
export function SessionGate({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    fetchSession().then(
      (s) => setState(s ? { kind: 'ready', session: s } : { kind: 'anonymous' }),
      (error: unknown) => setState({ kind: 'error', error }),
    );
    // Any call answering 401 later (the session expired) brings the login page back.
    return onUnauthorized(() => setState({ kind: 'anonymous' }));
  }, []);

  const logout = useCallback(async () => {
    await apiLogout();
    setState({ kind: 'anonymous' });
  }, []);

  if (state.kind === 'loading') return <div className="center-page"><Spinner /></div>;
  if (state.kind === 'error') return <div className="center-page"><ErrorBanner error={state.error} /></div>;
  if (state.kind === 'anonymous') return <LoginPage onLoggedIn={(session) => setState({ kind: 'ready', session })} />;
  return <SessionContext.Provider value={{ session: state.session, logout }}>{children}</SessionContext.Provider>;
}
