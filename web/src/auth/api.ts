import { api, ApiError, request, setCsrfToken } from '../ui/api';

export interface Session {
  account_id: string;
  account_name?: string;
  user_id: string;
  role: string;
  csrf_token: string;
}

/** The current console session, or null when nobody is logged in (401). */
export async function fetchSession(): Promise<Session | null> {
  try {
    const res = await request('GET', '/auth/session', { quiet401: true });
    const s = (await res.json()) as Session;
    setCsrfToken(s.csrf_token);
    return s;
  } catch (err) {
    // 400 not_a_session: the cookie is gone but something else authenticated; treat as logged out.
    if (err instanceof ApiError && (err.status === 401 || err.status === 400)) return null;
    throw err;
  }
}

export async function login(email: string, password: string): Promise<Session> {
  const res = await request('POST', '/auth/login', { json: { email, password }, quiet401: true });
  const s = (await res.json()) as Omit<Session, 'account_name'>;
  setCsrfToken(s.csrf_token);
  // The login answer has no account name; the session call does.
  return (await fetchSession()) ?? s;
}

export async function logout(): Promise<void> {
  await api.post('/auth/logout').catch(() => undefined);
  setCsrfToken('');
}
