// The API from the browser: same-origin cookies, the session's CSRF token on every write, and
// errors carried back as readable messages.
let csrfToken = sessionStorage.getItem('milap-csrf') ?? '';

export function setCsrf(token: string): void {
  csrfToken = token;
  sessionStorage.setItem('milap-csrf', token);
}

export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function api<T = unknown>(path: string, options: { method?: string; body?: unknown; form?: FormData } = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  const text = await response.text();
  const payload = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!response.ok) throw new ApiError(response.status, typeof payload === 'object' && payload?.message ? payload.message : response.statusText);
  return payload as T;
}
