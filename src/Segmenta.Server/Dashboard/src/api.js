// The one way the dashboard gets data: the REST API with the key the user signed in with, or, in a
// report written by `segmenta report`, the API's answers saved into the page.

const KEY = 'segmenta.key';
const saved = document.getElementById('segmenta-report');
export const report = saved ? JSON.parse(saved.textContent) : null;

export class ApiError extends Error {
  constructor(status, title, detail, body) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.body = body;
  }
}

export const session = {
  get key() { return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY); },
  signIn(key, remember) {
    sessionStorage.setItem(KEY, key);
    if (remember) localStorage.setItem(KEY, key);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
  },
};

/** GET (or another method with a JSON body) an API path; ProblemDetails become ApiError. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  if (report) {
    if (method !== 'GET') throw new ApiError(405, 'This is a report', 'changes need the live dashboard (segmenta serve)');
    if (!(path in report.documents)) throw new ApiError(404, 'Not in this report', `the report did not save ${path}`);
    const saved = report.documents[path];
    if (saved && saved.__problem) throw new ApiError(saved.status, saved.title, saved.detail, saved);
    return saved;
  }

  const headers = { Accept: 'application/json' };
  if (session.key) headers.Authorization = `Bearer ${session.key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const type = response.headers.get('Content-Type') ?? '';
  const payload = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const problem = typeof payload === 'object' && payload ? payload : {};
    throw new ApiError(response.status, problem.title ?? response.statusText, problem.detail, problem);
  }
  return payload;
}

/** Downloads an API file (the key goes in a header, so a plain link cannot carry it). */
export async function download(path, filename) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${session.key}` } });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, problem?.title ?? response.statusText, problem?.detail);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return response.headers;
}
