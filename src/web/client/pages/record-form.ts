// Police file (and edit) a missing report; shelters register (and edit) a found child; both add
// photos. The form sends CONTRACT.md's record; the API's field-named errors are shown beside the form.
import { api } from '../api.ts';
import { field, h } from '../dom.ts';
import { t, type Key } from '../i18n.ts';
import type { Page } from '../main.ts';

type Side = 'missing' | 'found';
interface FieldSpec {
  name: string;
  label: Key;
  type?: 'text' | 'number' | 'date' | 'sex' | 'list' | 'textarea' | 'tel';
  required?: boolean;
}

const common: FieldSpec[] = [
  { name: 'ref', label: 'ref', required: true },
  { name: 'name', label: 'name' },
  { name: 'aliases', label: 'aliases', type: 'list' },
  { name: 'sex', label: 'sex', type: 'sex', required: true },
];
const specs: Record<Side, FieldSpec[]> = {
  missing: [...common,
    { name: 'ageYears', label: 'ageYears', type: 'number' }, { name: 'missingSince', label: 'missingSince', type: 'date', required: true },
    { name: 'lastSeen.place', label: 'place' }, { name: 'lastSeen.district', label: 'district' }, { name: 'lastSeen.state', label: 'state' },
    { name: 'home.place', label: 'place' }, { name: 'home.district', label: 'district' }, { name: 'home.state', label: 'state' },
    { name: 'fatherName', label: 'father' }, { name: 'motherName', label: 'mother' }, { name: 'languages', label: 'languages', type: 'list' },
    { name: 'identificationMarks', label: 'marks', type: 'textarea' }, { name: 'description', label: 'description', type: 'textarea' },
    { name: 'policeStation', label: 'policeStation' }, { name: 'contactPhone', label: 'phone', type: 'tel' }],
  found: [...common,
    { name: 'apparentAgeYears', label: 'apparentAge', type: 'number' }, { name: 'foundOn', label: 'foundOn', type: 'date', required: true },
    { name: 'foundAt.place', label: 'place' }, { name: 'foundAt.district', label: 'district' }, { name: 'foundAt.state', label: 'state' },
    { name: 'statedHome.place', label: 'place' }, { name: 'statedHome.district', label: 'district' }, { name: 'statedHome.state', label: 'state' },
    { name: 'fatherName', label: 'father' }, { name: 'motherName', label: 'mother' }, { name: 'languages', label: 'languages', type: 'list' },
    { name: 'identificationMarks', label: 'marks', type: 'textarea' }, { name: 'description', label: 'description', type: 'textarea' },
    { name: 'institution', label: 'institution' }],
};

function input(spec: FieldSpec, value: unknown): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  const text = Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value);
  if (spec.type === 'sex') {
    return h('select', { name: spec.name, required: spec.required }, (['female', 'male', 'other', 'unknown'] as const).map((sex) => h('option', { value: sex, selected: text === sex }, t(sex))));
  }
  if (spec.type === 'textarea') return h('textarea', { name: spec.name, rows: 2, value: text });
  const type = spec.type === 'list' || !spec.type ? 'text' : spec.type;
  return h('input', { name: spec.name, type, value: text, required: spec.required, step: spec.type === 'number' ? '0.5' : undefined });
}

/** The form's values as a record: dotted names nest, lists split on commas, blanks are left out. */
function collect(form: HTMLFormElement, fields: FieldSpec[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const spec of fields) {
    const element = form.elements.namedItem(spec.name) as HTMLInputElement | null;
    const raw = element?.value.trim() ?? '';
    if (!raw) continue;
    const value = spec.type === 'number' ? Number(raw) : spec.type === 'list' ? raw.split(',').map((part) => part.trim()).filter(Boolean) : raw;
    const [head, tail] = spec.name.split('.');
    if (tail) ((record[head!] ??= {}) as Record<string, unknown>)[tail] = value;
    else record[head!] = value;
  }
  return record;
}

const placeLegends: Record<string, Key> = { lastSeen: 'lastSeen', home: 'home', foundAt: 'foundAt', statedHome: 'statedHome' };

/** Consecutive fields of one place ("home.district", "home.state") go together under the place's legend. */
function groups(fields: FieldSpec[]): [Key | null, FieldSpec[]][] {
  const result: [Key | null, FieldSpec[]][] = [];
  for (const spec of fields) {
    const legend = spec.name.includes('.') ? placeLegends[spec.name.split('.')[0]!]! : null;
    const last = result[result.length - 1];
    if (last && last[0] === legend) last[1].push(spec);
    else result.push([legend, [spec]]);
  }
  return result;
}

export async function recordForm(side: Side, id: string | null): Promise<Page> {
  const base = side === 'missing' ? '/api/v1/missing-reports' : '/api/v1/found-children';
  const existing = id ? await api<{ id: string; version: number; record: Record<string, unknown> }>(`${base}/${id}`) : null;
  const valueOf = (name: string) => name.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], existing?.record);
  const fields = specs[side];
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const photo = h('input', { type: 'file', name: 'photo', accept: 'image/*' });
  const form: HTMLFormElement = h('form', {
    class: 'card record-form',
    onsubmit: async (event: Event) => {
      event.preventDefault();
      status.replaceChildren();
      const record = collect(form, fields);
      try {
        const saved = existing
          ? await api<{ id: string }>(`${base}/${existing.id}`, { method: 'PATCH', body: record })
          : await api<{ id: string }>(base, { method: 'POST', body: record });
        const file = photo.files?.[0];
        if (file) {
          const upload = new FormData();
          upload.append('photo', file);
          await api(`${base}/${saved.id}/photos`, { method: 'POST', form: upload });
        }
        status.replaceChildren(h('p', { class: 'ok' }, t('saved'), ' ', h('a', { href: `#/${side}/${saved.id}` }, saved.id)));
        if (!existing) form.reset();
      } catch (error) {
        status.replaceChildren(h('p', { class: 'error', role: 'alert' }, (error as Error).message));
      }
    },
  },
  groups(fields).map(([legend, group]) => {
    const inputs = h('div', { class: 'grid' }, group.map((spec) => field(`${t(spec.label)}${spec.required ? ' *' : ''}`, input(spec, valueOf(spec.name)))));
    return legend ? h('fieldset', {}, h('legend', {}, t(legend)), inputs) : inputs;
  }),
  field(t('addPhoto'), photo),
  h('button', { type: 'submit' }, t('save')), status);
  const title = side === 'missing' ? t('fileReport') : t('registerChild');
  return { title: existing ? `${title} · ${existing.record.ref}` : title, body: form };
}
