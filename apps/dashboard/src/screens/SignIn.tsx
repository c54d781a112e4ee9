import { type FormEvent, type ReactNode, useState } from 'react';
import { Api } from '../api';

/** Signs in with a bearer token from `KLP_TOKENS`, checked against the api before it is kept. */
export function SignIn(props: { onSignIn: (token: string) => void; notice?: string }): ReactNode {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(props.notice);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) return setError('Paste a token first.');
    setBusy(true);
    try {
      await new Api(value).get('/v1/hosts?limit=1');
      props.onSignIn(value);
    } catch (caught) {
      const status = (caught as { status?: number }).status;
      setError(status === 401 ? 'The api does not accept this token.' : (caught as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <form onSubmit={(event) => void submit(event)}>
        <h1>klp-fleet</h1>
        <p>Kernel livepatches across the fleet. Sign in with an operator, auditor or admin token.</p>
        <label>
          Token
          <input
            name="token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            autoFocus
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
