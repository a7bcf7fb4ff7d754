// The repatriation board: restorations by stage, overdue visits marked, and the next step recorded.
import { api } from '../api.ts';
import { field, h } from '../dom.ts';
import { t } from '../i18n.ts';
import type { Page } from '../main.ts';

interface Restoration {
  id: string;
  stage: string;
  nextDue: string | null;
  overdue: boolean;
  missingRef: string;
  foundRef: string;
}

const columns = ['confirmed', 'cwc_order', 'home_verification', 'escort', 'handed_over', 'follow_up'];
const nextOf: Record<string, string[]> = {
  confirmed: ['cwc_order', 'cancelled'], cwc_order: ['home_verification', 'cancelled'], home_verification: ['escort', 'cancelled'],
  escort: ['handed_over', 'cancelled'], handed_over: ['follow_up', 'closed', 'cancelled'], follow_up: ['follow_up', 'closed', 'cancelled'],
};

function card(item: Restoration): HTMLElement {
  const to = h('select', { name: 'to' }, (nextOf[item.stage] ?? []).map((stage) => h('option', { value: stage }, stage.replaceAll('_', ' '))));
  const note = h('input', { name: 'note', required: true, minLength: 3 });
  const due = h('input', { name: 'dueDate', type: 'date' });
  const status = h('span', { role: 'status' });
  return h('li', { class: item.overdue ? 'card overdue' : 'card' },
    h('strong', {}, `${item.missingRef} ↔ ${item.foundRef}`),
    item.nextDue ? h('p', {}, `${t('due')}: ${item.nextDue}`, item.overdue ? h('span', { class: 'badge' }, ` ${t('overdue')}`) : null) : null,
    h('form', {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        try {
          await api(`/api/v1/restorations/${item.id}/steps`, { method: 'POST', body: { to: to.value, note: note.value.trim(), ...(due.value ? { dueDate: due.value } : {}) } });
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } catch (error) {
          status.textContent = (error as Error).message;
        }
      },
    }, field(t('next'), to), field(t('note'), note), field(t('due'), due), h('button', { type: 'submit' }, t('advance')), status));
}

export async function restorationsPage(): Promise<Page> {
  const { items } = await api<{ items: Restoration[] }>('/api/v1/restorations?limit=500');
  const board = h('div', { class: 'board' }, columns.map((stage) => {
    const here = items.filter((item) => item.stage === stage);
    return h('section', { 'aria-label': stage }, h('h2', {}, `${stage.replaceAll('_', ' ')} (${here.length})`), h('ul', {}, here.map(card)));
  }));
  return { title: t('restorations'), body: board };
}
