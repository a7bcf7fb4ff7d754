// The matching officer's queue: pairs touching their jurisdiction, most probable first, with counts
// by state and filters. The order is remembered so the compare page can step through it (j/k).
import { api } from '../api.ts';
import { field, h } from '../dom.ts';
import { t, type Key } from '../i18n.ts';
import type { Page, SignedInUser } from '../main.ts';

interface Candidate {
  id: string;
  state: string;
  probability: number;
  missing: { ref: string; name: string | null };
  found: { ref: string; name: string | null };
  reopenedBecause: string | null;
}

const stateKeys: Record<string, Key> = { pending: 'pending', confirmed: 'confirmed', rejected: 'rejected', on_hold: 'onHold', superseded: 'superseded' };

export async function queuePage(_user: SignedInUser): Promise<Page> {
  const params = new URLSearchParams(sessionStorage.getItem('milap-queue-filter') ?? 'state=pending');
  const stateSelect = h('select', { name: 'state' }, h('option', { value: '' }, t('all')),
    Object.entries(stateKeys).map(([value, key]) => h('option', { value, selected: params.get('state') === value }, t(key))));
  const minimum = h('input', { name: 'minProbability', type: 'number', min: '0', max: '1', step: '0.05', value: params.get('minProbability') ?? '0' });
  const [list, counts] = await Promise.all([
    api<{ items: Candidate[] }>(`/api/v1/candidates?limit=200&${params}`),
    api<{ counts: Record<string, number> }>('/api/v1/candidates/counts'),
  ]);
  sessionStorage.setItem('milap-queue', JSON.stringify(list.items.map((item) => item.id)));
  const filters = h('form', {
    class: 'filters',
    onsubmit: (event: Event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      if (stateSelect.value) next.set('state', stateSelect.value);
      if (Number(minimum.value) > 0) next.set('minProbability', minimum.value);
      sessionStorage.setItem('milap-queue-filter', next.toString());
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    },
  }, field(t('state'), stateSelect), field(t('minProbability'), minimum), h('button', { type: 'submit' }, t('filter')));
  const summary = h('ul', { class: 'counts', 'aria-label': 'counts' },
    Object.entries(stateKeys).map(([state, key]) => h('li', {}, h('strong', {}, String(counts.counts[state] ?? 0)), ' ', t(key))));
  const rows = list.items.map((item) =>
    h('tr', {},
      h('td', {}, h('meter', { min: 0, max: 1, value: item.probability, 'aria-label': t('probability') }), ` ${(item.probability * 100).toFixed(1)}%`),
      h('td', { lang: 'und' }, item.missing.name ?? '—', h('br'), h('small', {}, item.missing.ref)),
      h('td', { lang: 'und' }, item.found.name ?? '—', h('br'), h('small', {}, item.found.ref)),
      h('td', {}, t(stateKeys[item.state] ?? 'pending'), item.reopenedBecause ? h('small', { class: 'reopened' }, ` (${item.reopenedBecause})`) : null),
      h('td', {}, h('a', { href: `#/pairs/${item.id}` }, t('compare'))),
    ));
  const table = rows.length
    ? h('table', { class: 'queue' },
        h('thead', {}, h('tr', {}, [t('probability'), t('missingChild'), t('foundChild'), t('state'), ''].map((label) => h('th', { scope: 'col' }, label)))),
        h('tbody', {}, rows))
    : h('p', {}, t('noCandidates'));
  return { title: t('queue'), body: h('div', {}, summary, filters, table) };
}
