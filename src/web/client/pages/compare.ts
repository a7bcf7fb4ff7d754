// Side by side: the missing child and the found child, photos, names in their own script with the
// clerks' Latin spelling beside, age intervals, places with the distance between them, and the
// waterfall of match weights. Confirm / reject / hold need a reason; c, r, h and j/k work from the keyboard.
import { api } from '../api.ts';
import { waterfall } from '../charts.ts';
import { field, h } from '../dom.ts';
import { t, type Key } from '../i18n.ts';
import type { Page, SignedInUser } from '../main.ts';

interface StoredRecord {
  id: string;
  ref: string;
  status: string;
  record: Record<string, unknown>;
  places: Record<string, { districtName: string | null; stateName: string | null; resolution: string }>;
}

interface PairView {
  missing: { nameLatin: string | null; fatherLatin: string | null; born: [string, string] | null };
  found: { nameLatin: string | null; fatherLatin: string | null; born: [string, string] | null };
  distanceKm: number | null;
}

interface PairDetail {
  id: string;
  state: string;
  probability: number;
  matchWeight: number;
  explanation: { comparison: string; level: string; weight: number }[];
  missingReport: StoredRecord;
  foundChild: StoredRecord;
  decisions: { decision: string; reason: string; decidedBy: string; decidedAt: string }[];
  photos: { missing: string[]; found: string[] };
  view?: PairView;
}

const placeText = (record: StoredRecord, key: string) => {
  const raw = record.record[key] as Record<string, string> | null | undefined;
  if (!raw) return '—';
  const resolved = record.places[key];
  const named = resolved && resolved.resolution !== 'unresolved' ? [resolved.districtName, resolved.stateName].filter(Boolean).join(', ') : null;
  const typed = [raw.place, raw.district, raw.state].filter(Boolean).join(', ');
  return named && named !== typed ? `${typed} (${named})` : typed || '—';
};

function nameCell(original: unknown, latin: string | null | undefined) {
  if (!original) return h('span', {}, '—');
  const text = String(original);
  return h('span', {}, h('span', { class: 'native', lang: 'und' }, text), latin && latin.toLowerCase() !== text.toLowerCase() ? h('span', { class: 'latin' }, ` (${latin})`) : null);
}

function photoStrip(pairId: string, photoIds: string[]) {
  if (!photoIds.length) return h('p', { class: 'muted' }, '—');
  return h('div', { class: 'photos' }, photoIds.map((photoId) => h('img', { src: `/api/v1/candidates/${pairId}/photos/${photoId}?size=thumbnail`, alt: t('photos'), loading: 'lazy' })));
}

function row(label: Key, missing: Node | string, found: Node | string) {
  return h('tr', {}, h('th', { scope: 'row' }, t(label)), h('td', {}, missing), h('td', {}, found));
}

export async function comparePage(_user: SignedInUser, id: string): Promise<Page> {
  const pair = await api<PairDetail>(`/api/v1/candidates/${id}`);
  const m = pair.missingReport;
  const f = pair.foundChild;
  const view = pair.view;
  const missingPhotos = photoStrip(id, pair.photos.missing);
  const foundPhotos = photoStrip(id, pair.photos.found);
  const age = (record: StoredRecord, born: [string, string] | null | undefined, key: string) =>
    `${record.record[key] ?? '—'}${born ? ` · ${t('born')} ${born[0]} – ${born[1]}` : ''}`;
  const table = h('table', { class: 'compare' },
    h('thead', {}, h('tr', {}, h('td'), h('th', { scope: 'col' }, `${t('missingChild')} · ${m.ref}`), h('th', { scope: 'col' }, `${t('foundChild')} · ${f.ref}`))),
    h('tbody', {},
      row('photos', missingPhotos, foundPhotos),
      row('name', nameCell(m.record.name, view?.missing.nameLatin), nameCell(f.record.name, view?.found.nameLatin)),
      row('aliases', ((m.record.aliases as string[] | undefined) ?? []).join(', ') || '—', ((f.record.aliases as string[] | undefined) ?? []).join(', ') || '—'),
      row('father', nameCell(m.record.fatherName, view?.missing.fatherLatin), nameCell(f.record.fatherName, view?.found.fatherLatin)),
      row('mother', nameCell(m.record.motherName, null), nameCell(f.record.motherName, null)),
      row('sex', String(m.record.sex), String(f.record.sex)),
      row('age', age(m, view?.missing.born, 'ageYears'), age(f, view?.found.born, 'apparentAgeYears')),
      row('missingSince', String(m.record.missingSince), `${t('foundOn')}: ${f.record.foundOn}`),
      row('home', placeText(m, 'home'), `${t('statedHome')}: ${placeText(f, 'statedHome')}`),
      row('lastSeen', placeText(m, 'lastSeen'), `${t('foundAt')}: ${placeText(f, 'foundAt')}`),
      row('distance', view?.distanceKm != null ? `${Math.round(view.distanceKm)} km` : '—', ''),
      row('marks', String(m.record.identificationMarks ?? '—'), String(f.record.identificationMarks ?? '—')),
      row('languages', ((m.record.languages as string[] | undefined) ?? []).join(', ') || '—', ((f.record.languages as string[] | undefined) ?? []).join(', ') || '—'),
    ));

  const reason = h('textarea', { name: 'reason', rows: 2, required: true, minLength: 3 });
  const status = h('p', { role: 'status', 'aria-live': 'polite' });
  const decide = async (decision: 'confirm' | 'reject' | 'hold') => {
    if (reason.value.trim().length < 3) {
      reason.focus();
      status.textContent = t('reason');
      return;
    }
    try {
      await api(`/api/v1/candidates/${id}/decision`, { method: 'POST', body: { decision, reason: reason.value.trim() } });
      status.textContent = t('decided');
      step(1);
    } catch (error) {
      status.textContent = (error as Error).message;
    }
  };
  const open = pair.state === 'pending' || pair.state === 'on_hold';
  const actions = h('form', { class: 'decision', onsubmit: (event: Event) => event.preventDefault() },
    field(t('reason'), reason),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'confirm', disabled: !open, onclick: () => decide('confirm') }, `${t('confirm')} (c)`),
      h('button', { type: 'button', class: 'reject', disabled: !open, onclick: () => decide('reject') }, `${t('reject')} (r)`),
      h('button', { type: 'button', disabled: pair.state !== 'pending', onclick: () => decide('hold') }, `${t('hold')} (h)`),
    ),
    h('small', {}, t('shortcuts')), status);

  const step = (by: number) => {
    const queue: string[] = JSON.parse(sessionStorage.getItem('milap-queue') ?? '[]');
    const next = queue[queue.indexOf(id) + by];
    location.hash = next ? `#/pairs/${next}` : '#/queue';
  };
  const keys = (event: KeyboardEvent) => {
    if (event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = { c: 'confirm', r: 'reject', h: 'hold' }[event.key] as 'confirm' | 'reject' | 'hold' | undefined;
    if (action && open) {
      event.preventDefault();
      if (reason.value.trim().length < 3) reason.focus();
      else void decide(action);
    } else if (event.key === 'j') step(1);
    else if (event.key === 'k') step(-1);
  };
  document.addEventListener('keydown', keys);

  const history = pair.decisions.length
    ? h('ul', { class: 'decisions' }, pair.decisions.map((d) => h('li', {}, `${d.decidedAt.slice(0, 16).replace('T', ' ')} · ${d.decidedBy} · ${d.decision}: ${d.reason}`)))
    : null;
  const body = h('div', { class: 'compare-page' },
    h('p', { class: 'score' }, `${t('probability')}: `, h('strong', {}, `${(pair.probability * 100).toFixed(1)}%`), ` · ${t('state')}: ${pair.state}`),
    h('a', { href: '#/queue' }, t('back')),
    table,
    h('section', { 'aria-labelledby': 'why' }, h('h2', { id: 'why' }, t('explanation')), waterfall(t('explanation'), pair.explanation)),
    actions, history);
  return { title: t('compare'), body, leave: () => document.removeEventListener('keydown', keys) };
}
