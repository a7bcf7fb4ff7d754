// The bare route of bench/http.ts, in its own process as the service is: parse JSON, one INSERT of
// the same row shape into the same table, answer 201. No validation, history, places, audit or
// queue: the ceiling that the real route's extra work is measured against. Prints its address.
//   DATABASE_URL=... node --import tsx bench/http-bare.ts
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const bare = Fastify();
bare.post('/bare', async (request, reply) => {
  const record = request.body as { ref: string; missingSince: string; policeStation: string };
  const { rows } = await pool.query(
    `INSERT INTO missing_report (filing_unit, ref, record, event_date, created_by, updated_by)
     VALUES ($1, $2, $3, $4, 'bench', 'bench') RETURNING id`,
    [record.policeStation, record.ref, record, record.missingSince],
  );
  return reply.status(201).send(rows[0]);
});
const address = await bare.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${address}\n`);
process.on('SIGTERM', () => void bare.close().then(() => pool.end()));
