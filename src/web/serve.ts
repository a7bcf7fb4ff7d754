// The officers' web app, served by the same Fastify process: the TypeScript client is bundled
// in memory by esbuild when the app starts (no build step, no CDN, nothing fetched from outside;
// district offices run on closed networks). The shell is public; all data comes from the API.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance } from 'fastify';

const here = dirname(fileURLToPath(import.meta.url));

async function bundle(): Promise<{ script: string; styles: string }> {
  const result = await build({
    entryPoints: [join(here, 'client', 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  return { script: result.outputFiles[0]!.text, styles: await readFile(join(here, 'client', 'app.css'), 'utf8') };
}

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>milap</title>
<link rel="stylesheet" href="/app.css">
<script type="module" src="/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div id="root"></div>
</body>
</html>
`;

const securityHeaders = {
  'content-security-policy': "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export async function webApp(app: FastifyInstance): Promise<void> {
  const assets = await bundle();
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.headers(securityHeaders).type('text/html; charset=utf-8').send(page),
  );
  app.get('/app.js', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.headers(securityHeaders).type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(assets.script),
  );
  app.get('/app.css', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.headers(securityHeaders).type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(assets.styles),
  );
}
