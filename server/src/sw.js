// Tabel service worker: keeps the marking pages a teacher opened, and the files they need
// (wasm, JS, CSS, offline.js), so that a tablet can open them again without a network.
// The marks themselves live in IndexedDB (offline.js), never here.
//
// The server fills in VERSION (a hash of the built site) and PRECACHE (its files) when
// it serves this script, so every deployment is a new worker with its own caches.
'use strict';

const VERSION = "__TABEL_VERSION__";
const PRECACHE = [/* __TABEL_PRECACHE__ */];
const ASSETS = `tabel-assets-${VERSION}`;
const PAGES = `tabel-pages-${VERSION}`;
const MARKING_PAGE = /^\/groups\/\d+\/marks\/\d{4}-\d{2}-\d{2}$/;
// A tablet on bad Wi-Fi should not stare at a spinner when it has a copy of the page.
const NETWORK_TIMEOUT_MS = 6000;
const MAX_PAGES = 80;
// A page the client asks to keep right after the browser fetched it is not fetched twice.
const FRESH_MS = 15000;
const cachedAt = new Map();
// Who is signed in (a person id), from the cookie the server sets beside the session
// (domain::sync::AUTHOR_COOKIE). A kept page is stamped with it and given back only to
// the same person: a signed-out tablet, or the next teacher, gets none of them.
const AUTHOR_COOKIE = 'tabel_author';
const AUTHOR_HEADER = 'X-Tabel-Author';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(ASSETS)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))))
      // The new build takes over at once (see activate): the page shows a reload hint,
      // and whatever it queued meanwhile is in IndexedDB, which no version touches.
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    const old = names.filter((name) => name.startsWith('tabel-') && name !== ASSETS && name !== PAGES);
    // Pages cached by the previous build were rendered for its wasm; fetch them again so
    // the tablet keeps its offline pages across an update, then drop the old caches.
    const urls = new Set();
    for (const name of old.filter((n) => n.startsWith('tabel-pages-'))) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) urls.add(request.url);
    }
    await Promise.all([...urls].map((url) => keepPage(url).catch(() => false)));
    await Promise.all(old.map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (MARKING_PAGE.test(url.pathname)) {
      event.respondWith(networkFirst(request, url));
    } else {
      event.respondWith(fetch(request).catch(() => offlinePage(url)));
    }
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(
      caches.open(ASSETS)
        .then((cache) => cache.match(url.pathname))
        .then((hit) => hit || fetch(request)),
    );
  }
});

// Messages from offline.js: keep a page (the marking page the teacher is on, or today's
// page of her groups), or forget every page (someone signed out on this tablet).
self.addEventListener('message', (event) => {
  const data = event.data || {};
  const reply = (value) => event.ports[0] && event.ports[0].postMessage(value);
  if (data.type === 'keep-pages' && Array.isArray(data.urls)) {
    event.waitUntil(
      Promise.all(data.urls.map((url) => keepPage(url).catch(() => false)))
        .then((results) => reply({ type: 'kept', results })),
    );
  } else if (data.type === 'forget-pages') {
    event.waitUntil(forgetPages().then(() => reply({ type: 'forgotten' })));
  } else if (data.type === 'version') {
    reply({ type: 'version', version: VERSION });
  }
});

// The person signed in; `undefined` where a worker cannot read cookies (no Cookie Store
// API), and then pages are kept apart only by offline.js forgetting them when the person
// changes.
async function authorNow() {
  if (!self.cookieStore) return undefined;
  try {
    const cookie = await self.cookieStore.get(AUTHOR_COOKIE);
    return cookie && /^\d+$/.test(cookie.value) ? cookie.value : null;
  } catch (_) {
    return undefined;
  }
}

// Whether a kept page may be shown to `author`.
const isFor = (copy, author) => author === undefined || (author !== null && copy.headers.get(AUTHOR_HEADER) === author);

// The kept copy of a page for `author` (see authorNow); another person's copy is dropped.
async function copyFor(cache, key, author) {
  const copy = await cache.match(key);
  if (!copy) return undefined;
  if (isFor(copy, author)) return copy;
  await cache.delete(key);
  cachedAt.delete(key);
  return undefined;
}

function pageKey(url) {
  const u = new URL(url, self.location.origin);
  return u.origin + u.pathname;
}

async function networkFirst(request, url) {
  const key = pageKey(url);
  const cache = await caches.open(PAGES);
  const network = fetch(request).then(async (response) => {
    if (isPage(response)) {
      await putPage(cache, key, response.clone());
    }
    return response;
  });
  const copy = await copyFor(cache, key, await authorNow());
  if (!copy) {
    return network.catch(() => offlinePage(url));
  }
  // With a copy at hand, a network error, a server error or a slow answer gives the copy;
  // a redirect (to the login page) still goes through.
  const answer = network.then((response) => (response.status >= 500 ? copy : response), () => copy);
  const late = new Promise((resolve) => setTimeout(() => resolve(copy), NETWORK_TIMEOUT_MS));
  return Promise.race([answer, late]);
}

function isPage(response) {
  return response.ok && response.type === 'basic' && !response.redirected
    && (response.headers.get('content-type') || '').includes('text/html');
}

async function putPage(cache, key, response) {
  const headers = new Headers(response.headers);
  headers.set(AUTHOR_HEADER, (await authorNow()) || '');
  const body = await response.arrayBuffer();
  await cache.put(key, new Response(body, { status: response.status, statusText: response.statusText, headers }));
  cachedAt.set(key, Date.now());
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) {
    await cache.delete(old);
  }
}

// Fetches a marking page with the tablet's session and keeps it; answers whether a copy
// is there now. A redirect (the session ended) or an error leaves the copy as it was.
async function keepPage(url) {
  const key = pageKey(url);
  if (!MARKING_PAGE.test(new URL(key).pathname)) return false;
  if (Date.now() - (cachedAt.get(key) || 0) < FRESH_MS) return true;
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(key, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (isPage(response)) {
      await putPage(cache, key, response);
      return true;
    }
  } catch (_) {
    // Offline: the copy, if any, is what the tablet has.
  }
  return !!(await copyFor(cache, key, await authorNow()));
}

async function forgetPages() {
  cachedAt.clear();
  for (const name of await caches.keys()) {
    if (name.startsWith('tabel-pages-')) await caches.delete(name);
  }
}

const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// Shown for a page the tablet has no copy of: what is available offline instead.
async function offlinePage(url) {
  const cache = await caches.open(PAGES);
  const author = await authorNow();
  const links = [];
  for (const request of await cache.keys()) {
    // Another person's pages are not offered, not even by their address.
    const response = await copyFor(cache, request.url, author);
    if (!response) continue;
    const html = await response.text();
    const heading = (html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/) || [])[1] || '';
    const title = heading.replace(/<[^>]*>/g, '').trim() || new URL(request.url).pathname;
    links.push(`<li><a href="${escapeHtml(new URL(request.url).pathname)}">${escapeHtml(title)}</a></li>`);
  }
  const list = links.length
    ? `<p>Без сети открываются отметки, которые уже открывали на этом устройстве:</p><ul class="offline-pages">${links.join('')}</ul>`
    : '<p>На этом устройстве нет сохранённых страниц отметки. Откройте отметку группы, пока есть сеть.</p>';
  const body = `<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Нет сети · Табель</title><link rel="stylesheet" href="/pkg/tabel.css"><link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
<body><header class="topbar"><a class="brand" href="/">Табель</a></header><main>
<h1>Нет сети</h1>
<p class="notice" lang="ru">Страница ${escapeHtml(url.pathname)} недоступна без сети.</p>
<p class="muted" lang="en">No network: this page is not available offline.</p>
${list}
</main></body></html>`;
  return new Response(body, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
