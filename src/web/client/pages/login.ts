import { api, ApiError } from '../api.ts';
import { field, h } from '../dom.ts';
import { t } from '../i18n.ts';
import type { Page, SignedInUser } from '../main.ts';

export function loginPage(onSignedIn: (user: SignedInUser, csrf: string) => Promise<void>): Page {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { role: 'alert', class: 'error' });
  const form = h('form', {
    class: 'card narrow',
    onsubmit: async (event: Event) => {
      event.preventDefault();
      message.textContent = '';
      try {
        const answer = await api<{ user: SignedInUser; csrfToken: string }>('/api/v1/auth/login', {
          method: 'POST', body: { username: username.value.trim(), password: password.value },
        });
        await onSignedIn(answer.user, answer.csrfToken);
      } catch (error) {
        message.textContent = error instanceof ApiError && error.status === 429 ? error.message : t('signInFailed');
      }
    },
  }, field(t('username'), username), field(t('password'), password), h('button', { type: 'submit' }, t('signIn')), message);
  return { title: t('signIn'), body: form };
}
