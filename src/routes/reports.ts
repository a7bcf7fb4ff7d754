// The scheme's numbers (statistics, the quarterly report) and exports of a jurisdiction's records.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import { districtsOf, listStates } from '../../matchers/places.ts';
import { listScope } from '../access/guard.ts';
import { csvCell, csvColumnsOf, exportRecords, flatten } from '../reports/export.ts';
import { quarterBounds, quarterlyCsv, quarterlyPage, totals } from '../reports/quarterly.ts';
import { statistics } from '../reports/statistics.ts';
import { foundSide, missingSide } from '../records/sides.ts';

function placeName(code: string | null): string {
  if (!code) return 'unresolved place';
  const state = listStates().find((s) => s.code === code);
  if (state) return state.name;
  const district = districtsOf(code.split('-')[0]!).find((d) => d.id === code);
  return district?.name ?? code;
}

export function reportRoutes(pool: pg.Pool): FastifyPluginAsyncZod {
  return async (app) => {
    const statisticsQuery = z.strictObject({
      since: z.iso.date(),
      until: z.iso.date(),
      groupBy: z.enum(['state', 'district']).default('state'),
    });
    app.get('/statistics', { schema: { tags: ['reports'], summary: 'figures by state or district for a period', querystring: statisticsQuery } }, async (request) => {
      const rows = await statistics(pool, { ...request.query, jurisdiction: listScope(request, 'stats:read') });
      await request.audit('read-statistics', 'statistics', [null]);
      return { items: rows.map((row) => ({ ...row, placeName: placeName(row.place) })), totals: totals(rows) };
    });

    const quarterlyQuery = z.strictObject({
      year: z.coerce.number().int().min(2000).max(2200),
      quarter: z.coerce.number().int().min(1).max(4),
      format: z.enum(['csv', 'html', 'json']).default('html'),
    });
    app.get('/reports/quarterly', { schema: { tags: ['reports'], summary: 'the quarterly progress report of your state (or the nation): CSV or a printable page', querystring: quarterlyQuery } }, async (request, reply) => {
      const { year, quarter, format } = request.query;
      const jurisdiction = listScope(request, 'stats:read');
      const groupBy = jurisdiction && jurisdiction.scope !== 'national' ? 'district' : 'state';
      const rows = await statistics(pool, { ...quarterBounds(year, quarter as 1 | 2 | 3 | 4), groupBy, jurisdiction });
      await request.audit('read-quarterly-report', 'statistics', [null]);
      const where = jurisdiction?.scope === 'state' ? placeName(jurisdiction.stateCode) : jurisdiction?.scope === 'national' || !jurisdiction ? 'India' : placeName(jurisdiction.districtId ?? jurisdiction.institution);
      const title = `Quarterly progress report, ${where}, Q${quarter} ${year}`;
      if (format === 'csv') {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="milap-q${quarter}-${year}.csv"`).send(quarterlyCsv(rows));
      }
      if (format === 'json') return { title, items: rows, totals: totals(rows) };
      return reply.type('text/html; charset=utf-8').send(quarterlyPage(title, rows, placeName));
    });

    const exportQuery = z.strictObject({ format: z.enum(['jsonl', 'csv']).default('jsonl') });
    for (const side of [missingSide, foundSide]) {
      const path = side.side === 'missing' ? 'missing-reports' : 'found-children';
      app.get(`/exports/${path}`, { schema: { tags: ['reports'], summary: `export your jurisdiction's ${side.noun} records (CONTRACT.md JSONL or CSV)`, querystring: exportQuery } }, async (request, reply) => {
        const jurisdiction = listScope(request, `${side.side}:read`);
        const csv = request.query.format === 'csv';
        const columns = csvColumnsOf(side);
        const lines: string[] = csv ? [columns.join(',')] : [];
        const ids: string[] = [];
        for await (const rows of exportRecords(pool, side, jurisdiction)) {
          for (const row of rows) {
            ids.push(row.id);
            if (!csv) lines.push(JSON.stringify(row.record));
            else {
              const flat = { id: row.id, ...flatten(row.record) };
              lines.push(columns.map((column) => csvCell((flat as Record<string, string>)[column])).join(','));
            }
          }
        }
        await request.audit('export', side.table, ids);
        const body = lines.length ? `${lines.join('\n')}\n` : '';
        return reply
          .type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="milap-${path}.${csv ? 'csv' : 'jsonl'}"`)
          .send(body);
      });
    }
  };
}
