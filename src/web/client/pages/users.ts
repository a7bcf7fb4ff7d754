// Admin: the users, adding one, disabling one.
import { api } from '../api.ts';
import { field, h } from '../dom.ts';
import { t } from '../i18n.ts';
import type { Page } from '../main.ts';

interface User { id: string; username: string; displayName: string; role: string; scope: string; stateCode: string | null; districtId: string | null; institution: string | null; disabled: boolean }

export async function usersPage(): Promise<Page> {
  const { items } = await api<{ items: User[] }>('/api/v1/users');
  const status = h('p', { role: 'status', 'aria-live': 'polite' });
  const refresh = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const table = h('table', {},
    h('thead', {}, h('tr', {}, [t('username'), t('name'), t('role'), t('scope'), ''].map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, items.map((user) => h('tr', {},
      h('td', {}, user.username), h('td', {}, user.displayName), h('td', {}, user.role),
      h('td', {}, user.scope === 'national' ? 'national' : `${user.scope}: ${user.stateCode ?? user.districtId ?? user.institution}`),
      h('td', {}, user.disabled ? 'disabled' : h('button', { type: 'button', onclick: async () => { await api(`/api/v1/users/${user.username}/disable`, { method: 'POST' }); refresh(); } }, t('disable'))),
    ))));
  const inputs = {
    username: h('input', { name: 'username', required: true }), displayName: h('input', { name: 'displayName', required: true }),
    role: h('select', { name: 'role' }, ['police', 'shelter', 'matching_officer', 'repatriation', 'admin'].map((role) => h('option', { value: role }, role))),
    scope: h('select', { name: 'scope' }, ['state', 'district', 'institution', 'national'].map((scope) => h('option', { value: scope }, scope))),
    where: h('input', { name: 'where', placeholder: 'JH / JH-dhanbad / institution name' }),
    password: h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minLength: 12 }),
  };
  const form = h('form', {
    class: 'card',
    onsubmit: async (event: Event) => {
      event.preventDefault();
      const scope = inputs.scope.value;
      const where = inputs.where.value.trim();
      try {
        await api('/api/v1/users', { method: 'POST', body: {
          username: inputs.username.value.trim(), displayName: inputs.displayName.value.trim(), role: inputs.role.value, scope, password: inputs.password.value,
          ...(scope === 'state' ? { stateCode: where } : scope === 'district' ? { districtId: where } : scope === 'institution' ? { institution: where } : {}),
        } });
        refresh();
      } catch (error) {
        status.textContent = (error as Error).message;
      }
    },
  }, h('h2', {}, t('addUser')), field(t('username'), inputs.username), field(t('name'), inputs.displayName), field(t('role'), inputs.role),
  field(t('scope'), inputs.scope), field(t('place'), inputs.where), field(t('password'), inputs.password), h('button', { type: 'submit' }, t('addUser')), status);
  return { title: t('users'), body: h('div', {}, table, form) };
}
