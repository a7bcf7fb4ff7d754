// The numbers: filed, found, pending, confirmed, restored and days to restore, by state (or by
// district for a state's users), for a period.
import { api } from '../api.ts';
import { barChart } from '../charts.ts';
import { field, h } from '../dom.ts';
import { t } from '../i18n.ts';
import type { Page } from '../main.ts';

interface Row { place: string | null; placeName: string; reportsFiled: number; childrenFound: number; candidatesPending: number; confirmed: number; restored: number; medianDaysFilingToRestoration: number | null; inCareOver90DaysWithoutCandidate: number }

export async function dashboardPage(): Promise<Page> {
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  const params = new URLSearchParams(sessionStorage.getItem('milap-dashboard') ?? `since=${yearAgo}&until=${today}&groupBy=state`);
  const { items, totals } = await api<{ items: Row[]; totals: Row }>(`/api/v1/statistics?${params}`);
  const since = h('input', { type: 'date', name: 'since', value: params.get('since') ?? yearAgo });
  const until = h('input', { type: 'date', name: 'until', value: params.get('until') ?? today });
  const groupBy = h('select', { name: 'groupBy' }, ['state', 'district'].map((g) => h('option', { value: g, selected: params.get('groupBy') === g }, g)));
  const form = h('form', {
    class: 'filters',
    onsubmit: (event: Event) => {
      event.preventDefault();
      sessionStorage.setItem('milap-dashboard', new URLSearchParams({ since: since.value, until: until.value, groupBy: groupBy.value }).toString());
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    },
  }, field(t('since'), since), field(t('until'), until), field(t('byState'), groupBy), h('button', { type: 'submit' }, t('filter')));
  const tiles = h('ul', { class: 'tiles' }, ([['filed', totals.reportsFiled], ['found', totals.childrenFound], ['pending', totals.candidatesPending], ['confirmed', totals.confirmed], ['restored', totals.restored], ['longInCare', totals.inCareOver90DaysWithoutCandidate]] as const)
    .map(([key, value]) => h('li', {}, h('strong', {}, String(value)), h('span', {}, t(key)))));
  const chart = (key: keyof Row, label: Parameters<typeof t>[0]) =>
    h('figure', {}, h('figcaption', {}, t(label)), barChart(t(label), items.map((row) => ({ label: row.placeName, value: Number(row[key] ?? 0) }))));
  return {
    title: t('dashboard'),
    body: h('div', {}, form, tiles, h('div', { class: 'charts' },
      chart('reportsFiled', 'filed'), chart('childrenFound', 'found'), chart('confirmed', 'confirmed'), chart('restored', 'restored'),
      chart('medianDaysFilingToRestoration', 'daysToRestore'))),
  };
}
