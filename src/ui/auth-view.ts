/// <reference lib="dom" />
// Log in and sign up. A successful sign-up logs straight in with the same credentials.
import { logIn, session, signUp } from './api.ts';
import { byId } from './dom.ts';
import { clearErrors, showError } from './form-errors.ts';

const input = (id: string) => byId(id, HTMLInputElement);

/** Disables the submit button while a request runs, so one click sends one request. */
async function submitting(form: HTMLFormElement, work: () => Promise<void>) {
  const button = form.querySelector<HTMLButtonElement>('[type=submit]');
  if (button) button.disabled = true;
  clearErrors(form);
  try {
    await work();
  } finally {
    if (button) button.disabled = false;
  }
}

export function authView(onLoggedIn: () => void) {
  const view = byId('auth-view', HTMLElement);
  const notice = byId('auth-notice', HTMLElement);
  const loginForm = byId('login-form', HTMLFormElement);
  const signupForm = byId('signup-form', HTMLFormElement);
  const login = { username: input('login-username'), password: input('login-password') };
  const signup = { username: input('signup-username'), email: input('signup-email'), password1: input('signup-password1'), password2: input('signup-password2') };

  // The API's messages name the field: "password1 and password2 do not match", "The username x is taken", ...
  const signupRules: Array<[RegExp, HTMLInputElement]> = [
    [/^password2|^password1 and password2/, signup.password2],
    [/^password1|^The password/, signup.password1],
    [/^username|^The username/, signup.username],
    [/email/i, signup.email],
  ];
  const loginRules: Array<[RegExp, HTMLInputElement]> = [
    [/^username/, login.username],
    [/^password/, login.password],
  ];

  async function enter(username: string, password: string) {
    session.save(await logIn(username, password), username);
    loginForm.reset();
    signupForm.reset();
    onLoggedIn();
  }

  loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitting(loginForm, async () => {
      notice.textContent = '';
      await enter(login.username.value.trim(), login.password.value).catch((error: unknown) => showError(loginForm, error, loginRules));
    });
  });

  signupForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitting(signupForm, async () => {
      notice.textContent = '';
      const fields = { username: signup.username.value.trim(), email: signup.email.value.trim(), password1: signup.password1.value, password2: signup.password2.value };
      try {
        await signUp(fields);
      } catch (error) {
        return showError(signupForm, error, signupRules);
      }
      await enter(fields.username, fields.password1).catch((error: unknown) => showError(signupForm, error, []));
    });
  });

  return {
    show(message = '') {
      notice.textContent = message;
      view.hidden = false;
      login.username.focus();
    },
    hide() {
      view.hidden = true;
    },
  };
}
