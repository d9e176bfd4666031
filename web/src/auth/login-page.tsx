import { useState, type FormEvent } from 'react';
import { Button, ErrorBanner, Field, Input } from '../ui/controls';
import { login, type Session } from './api';

export function LoginPage({ onLoggedIn }: { onLoggedIn: (s: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLoggedIn(await login(email.trim(), password));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit} noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden>C</span>
          <span className="brand-name">Conversa</span>
        </div>
        <h1>Sign in to the console</h1>
        <ErrorBanner error={error} testId="login-error" />
        <Field label="Email">
          <Input type="email" autoComplete="username" autoFocus required value={email} onChange={(e) => setEmail(e.target.value)} data-testid="login-email" />
        </Field>
        <Field label="Password">
          <Input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} data-testid="login-password" />
        </Field>
        <Button type="submit" variant="primary" busy={busy} disabled={!email || !password} className="btn-block" data-testid="login-submit">
          Sign in
        </Button>
      </form>
    </div>
  );
}
