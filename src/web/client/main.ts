// The app shell: who is signed in, the navigation their role needs, and a hash router.
import { api, ApiError, setCsrf } from './api.ts';
import { h } from './dom.ts';
import { currentLanguage, t, toggleLanguage, type Key } from './i18n.ts';
import { comparePage } from './pages/compare.ts';
import { dashboardPage } from './pages/dashboard.ts';
import { recordForm } from './pages/record-form.ts';
import { loginPage } from './pages/login.ts';
import { queuePage } from './pages/queue.ts';
import { restorationsPage } from './pages/restorations.ts';
import { usersPage } from './pages/users.ts';

export interface SignedInUser {
  id: string;
  username: string;
  displayName: string;
  role: 'police' | 'shelter' | 'matching_officer' | 'repatriation' | 'admin';
}

export interface Page {
  title: string;
  body: HTMLElement;
  /** Called when the page is left (to drop key handlers). */
  leave?: () => void;
}

type Route = [RegExp, (user: SignedInUser, match: RegExpMatchArray) => Promise<Page>];

const routes: Route[] = [
  [/^#\/queue$/, (user) => queuePage(user)],
  [/^#\/pairs\/([0-9a-f-]{36})$/, (user, m) => comparePage(user, m[1]!)],
  [/^#\/missing\/new$/, () => recordForm('missing', null)],
  [/^#\/missing\/([0-9a-f-]{36})$/, (_u, m) => recordForm('missing', m[1]!)],
  [/^#\/found\/new$/, () => recordForm('found', null)],
  [/^#\/found\/([0-9a-f-]{36})$/, (_u, m) => recordForm('found', m[1]!)],
  [/^#\/restorations$/, () => restorationsPage()],
  [/^#\/users$/, () => usersPage()],
  [/^#\/dashboard$/, () => dashboardPage()],
];

const homeOf: Record<SignedInUser['role'], string> = {
  police: '#/missing/new', shelter: '#/found/new', matching_officer: '#/queue', repatriation: '#/restorations', admin: '#/dashboard',
};
const navOf: Record<SignedInUser['role'], [string, Key][]> = {
  police: [['#/missing/new', 'fileReport'], ['#/dashboard', 'dashboard']],
  shelter: [['#/found/new', 'registerChild'], ['#/dashboard', 'dashboard']],
  matching_officer: [['#/queue', 'queue'], ['#/dashboard', 'dashboard']],
  repatriation: [['#/restorations', 'restorations'], ['#/dashboard', 'dashboard']],
  admin: [['#/dashboard', 'dashboard'], ['#/users', 'users']],
};

let user: SignedInUser | null = null;
let current: Page | null = null;
const root = () => document.getElementById('root')!;

async function signOut() {
  await api('/api/v1/auth/logout', { method: 'POST' }).catch(() => {});
  user = null;
  location.hash = '#/login';
}

function shell(page: Page): HTMLElement {
  const nav = user
    ? h('nav', { 'aria-label': 'main' }, navOf[user.role].map(([href, key]) => h('a', { href, 'aria-current': location.hash === href ? 'page' : undefined }, t(key))))
    : null;
  return h('div', { class: 'shell' },
    h('header', { class: 'top' },
      h('a', { class: 'brand', href: user ? homeOf[user.role] : '#/login' }, t('appName')),
      nav,
      h('div', { class: 'who' },
        h('button', { type: 'button', class: 'link', onclick: () => { toggleLanguage(); void render(); } }, t('language')),
        user ? h('span', {}, `${user.displayName} · ${user.role.replace('_', ' ')}`) : null,
        user ? h('button', { type: 'button', class: 'link', onclick: signOut }, t('signOut')) : null,
      ),
    ),
    h('main', { id: 'main', tabindex: '-1' }, h('h1', {}, page.title), page.body),
  );
}

export async function render(): Promise<void> {
  document.documentElement.lang = currentLanguage();
  current?.leave?.();
  if (!user) {
    try {
      user = (await api<{ user: SignedInUser }>('/api/v1/auth/me')).user;
    } catch {
      user = null;
    }
  }
  let page: Page;
  if (!user) {
    page = loginPage(async (signedIn, csrf) => {
      setCsrf(csrf);
      user = signedIn;
      location.hash = homeOf[signedIn.role];
      await render();
    });
  } else {
    const route = routes.find(([pattern]) => pattern.test(location.hash));
    if (!route) {
      location.hash = homeOf[user.role];
      return;
    }
    try {
      page = await route[1](user, location.hash.match(route[0])!);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        user = null;
        return render();
      }
      page = { title: t('errorTitle'), body: h('p', { role: 'alert' }, (error as Error).message) };
    }
  }
  current = page;
  document.title = `${page.title} · milap`;
  root().replaceChildren(shell(page));
}

window.addEventListener('hashchange', () => void render());
void render();
