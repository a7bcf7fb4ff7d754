// `milap users add|disable|list`: manage users from the server's shell (the first admin, or when
// no admin can sign in). The password is read from MILAP_PASSWORD or, interactively, from a prompt.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createUser, disableUser, listUsers, newUserSchema } from '../access/users.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { HttpError } from '../http/errors.ts';
import { fieldProblems } from '../records/problems.ts';
import { configOrComplain } from './common.ts';

const usage = `usage:
  milap users list
  milap users add --username NAME --name "Display Name" --role ROLE --scope national|state|district|institution
                  [--state CODE] [--district ID] [--institution NAME]     (password: MILAP_PASSWORD or a prompt)
  milap users disable --username NAME
roles: police, shelter, matching_officer, repatriation, admin
`;

async function readPassword(): Promise<string> {
  if (process.env.MILAP_PASSWORD) return process.env.MILAP_PASSWORD;
  const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await prompt.question('password (12 characters or more): ');
  } finally {
    prompt.close();
  }
}

export async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        username: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, scope: { type: 'string' },
        state: { type: 'string' }, district: { type: 'string' }, institution: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`milap users: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (!['add', 'disable', 'list'].includes(command ?? '')) {
    process.stderr.write(usage);
    return 2;
  }
  const config = configOrComplain();
  if (!config) return 2;
  const database = await openDatabase(config);
  try {
    await migrate(database.pool);
    if (command === 'list') {
      for (const user of await listUsers(database.pool)) {
        const where = user.scope === 'national' ? 'national' : `${user.scope}:${user.stateCode ?? user.districtId ?? user.institution}`;
        process.stdout.write(`${user.username}\t${user.role}\t${where}\t${user.disabled ? 'disabled' : 'active'}\n`);
      }
      return 0;
    }
    if (command === 'disable') {
      const user = values.username ? await disableUser(database.pool, values.username) : null;
      if (!user) {
        process.stderr.write(`milap users: no user ${values.username ?? '(give --username)'}\n`);
        return 1;
      }
      process.stdout.write(`disabled ${user.username}; their sessions and tokens are revoked\n`);
      return 0;
    }
    const parsed = newUserSchema.safeParse({
      username: values.username, displayName: values.name, role: values.role, scope: values.scope,
      stateCode: values.state, districtId: values.district, institution: values.institution, password: await readPassword(),
    });
    if (!parsed.success) {
      for (const problem of fieldProblems(parsed.error)) process.stderr.write(`milap users: ${problem.field}: ${problem.reason}\n`);
      return 2;
    }
    try {
      const user = await createUser(database.pool, parsed.data);
      process.stdout.write(`added ${user.username} (${user.role}, ${user.scope})\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      process.stderr.write(`milap users: ${error.message}\n`);
      return 1;
    }
  } finally {
    await database.close();
  }
}
