import { useState } from 'react';
import { useSession } from '../session';
import { Field, FormMessage, SubmitButton, useForm } from '../ui/form';

export function LoginPage() {
  const { login, ended } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  // Once logged in, the app's /login route takes the person on (App.tsx: `?next=` or their home).
  const form = useForm(async () => {
    await login(name, password);
  });
  return (
    <div className="login-screen">
      <form className="login-card" onSubmit={form.submit} aria-labelledby="login-title">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          salesflow
        </div>
        <h1 id="login-title">Log in</h1>
        {ended ? (
          <p className="notice" role="alert" data-testid="session-ended">
            {ended}
          </p>
        ) : null}
        <Field label="Login" error={form.fieldError('login')}>
          {(p) => <input {...p} name="login" autoComplete="username" autoFocus value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Password" error={form.fieldError('password')}>
          {(p) => <input {...p} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />}
        </Field>
        <FormMessage form={{ ...form, done: undefined }} fields={['login', 'password']} />
        <SubmitButton form={form}>Log in</SubmitButton>
      </form>
    </div>
  );
}
