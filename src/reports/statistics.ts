// The scheme's numbers by state or district for a period: reports filed, children found, pairs
// pending and confirmed, children restored, median days to restore, and children long in care
// with no candidate. Reports count where the child went missing; everything about a found child,
// its pairs and its restoration counts where the child was found (the unit caring for the child).
import type pg from 'pg';
import { containsSql, type Jurisdiction } from '../access/jurisdiction.ts';

export interface StatisticsQuery {
  since: string;
  until: string;
  groupBy: 'state' | 'district';
  jurisdiction?: Jurisdiction | undefined;
}

export interface StatisticsRow {
  place: string | null;
  reportsFiled: number;
  childrenFound: number;
  candidatesPending: number;
  confirmed: number;
  restored: number;
  medianDaysFilingToRestoration: number | null;
  medianDaysConfirmationToHandOver: number | null;
  inCareOver90DaysWithoutCandidate: number;
}

const metricNames: Record<string, keyof StatisticsRow> = {
  filed: 'reportsFiled', found: 'childrenFound', pending: 'candidatesPending', confirmed: 'confirmed', restored: 'restored',
  days_to_restore: 'medianDaysFilingToRestoration', days_to_hand_over: 'medianDaysConfirmationToHandOver', long_in_care: 'inCareOver90DaysWithoutCandidate',
};

export async function statistics(db: pg.Pool, query: StatisticsQuery): Promise<StatisticsRow[]> {
  const values: unknown[] = [query.since, query.until];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const inside = (alias: string) => (query.jurisdiction ? containsSql(query.jurisdiction, alias, param) : 'true');
  const key = (alias: string) => (query.groupBy === 'state' ? `${alias}.state_code` : `${alias}.district_id`);
  const period = (column: string) => `${column} >= $1::date AND ${column} < $2::date + 1`;
  const handedOver = `JOIN restoration r ON r.found_id = f.id
    JOIN restoration_step s ON s.restoration_id = r.id AND s.to_stage = 'handed_over'
    JOIN missing_report m ON m.id = r.missing_id`;
  const sql = `
    SELECT ${key('m')} AS place, 'filed' AS metric, count(*)::float AS value FROM missing_report m
     WHERE ${period('m.created_at')} AND ${inside('m')} GROUP BY 1
    UNION ALL
    SELECT ${key('f')}, 'found', count(*) FROM found_child f WHERE ${period('f.created_at')} AND ${inside('f')} GROUP BY 1
    UNION ALL
    SELECT ${key('f')}, 'pending', count(*) FROM candidate_pair c JOIN found_child f ON f.id = c.found_id
     WHERE c.state = 'pending' AND ${inside('f')} GROUP BY 1
    UNION ALL
    SELECT ${key('f')}, 'confirmed', count(*) FROM candidate_decision d JOIN candidate_pair c ON c.id = d.candidate_id
      JOIN found_child f ON f.id = c.found_id
     WHERE d.decision = 'confirm' AND c.state = 'confirmed' AND ${period('d.decided_at')} AND ${inside('f')} GROUP BY 1
    UNION ALL
    SELECT ${key('f')}, 'restored', count(*) FROM found_child f ${handedOver} WHERE ${period('s.at')} AND ${inside('f')} GROUP BY 1
    UNION ALL
    SELECT ${key('f')}, 'days_to_restore', percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.at - m.created_at) / 86400)
      FROM found_child f ${handedOver} WHERE ${period('s.at')} AND ${inside('f')} GROUP BY 1
    UNION ALL
    SELECT ${key('f')}, 'days_to_hand_over', percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.at - r.opened_at) / 86400)
      FROM found_child f ${handedOver} WHERE ${period('s.at')} AND ${inside('f')} GROUP BY 1
    UNION ALL
    SELECT ${key('f')}, 'long_in_care', count(*) FROM found_child f
     WHERE f.status = 'in_care' AND f.created_at < clock_timestamp() - interval '90 days' AND ${inside('f')}
       AND NOT EXISTS (SELECT 1 FROM candidate_pair c WHERE c.found_id = f.id AND c.state IN ('pending', 'on_hold', 'confirmed'))
     GROUP BY 1`;
  const { rows } = await db.query<{ place: string | null; metric: string; value: number }>(sql, values);
  const byPlace = new Map<string | null, StatisticsRow>();
  for (const row of rows) {
    let entry = byPlace.get(row.place);
    if (!entry) {
      entry = {
        place: row.place, reportsFiled: 0, childrenFound: 0, candidatesPending: 0, confirmed: 0, restored: 0,
        medianDaysFilingToRestoration: null, medianDaysConfirmationToHandOver: null, inCareOver90DaysWithoutCandidate: 0,
      };
      byPlace.set(row.place, entry);
    }
    const value = row.metric.startsWith('days') ? Math.round(row.value * 10) / 10 : row.value;
    (entry as unknown as Record<string, number>)[metricNames[row.metric]!] = value;
  }
  return [...byPlace.values()].sort((a, b) => String(a.place).localeCompare(String(b.place)));
}
