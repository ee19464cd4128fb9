// @ts-check
// Tabel offline marking, the browser end (issue #7; the contract is docs/sync-protocol.md).
//
// Every mark the marking page makes is an op, kept in IndexedDB until the server answers
// for its id. This script owns that storage and the sync loop, and registers the service
// worker (/sw.js) that keeps the pages themselves. It is plain JS, not wasm, so that the
// IndexedDB and fetch plumbing costs the wasm bundle nothing; the marking page (Rust,
// app/src/attendance/page/offline.rs) talks to it through `window.tabelOffline`, with JSON
// strings both ways, and gets every change of state through one callback.
//
// Type-checked (`tsc --checkJs`, end2end/tsconfig.offline.json), and its names and
// constants are checked against the Rust ones by app/src/attendance/page/contract.rs.

// The wire types (docs/sync-protocol.md; Rust: crate::domain::sync, crate::sync):
/** @typedef {'Present' | { Absent: { reason: string | null } }} Mark */
/**
 * @typedef {{ op_id: string, child_id: number, day: string, mark: Mark, device: string,
 *   recorded_at: number }} MarkOp
 */
/**
 * `status` and, for `refused`, the refusal's `kind` and fields (`code`, `detail`, `group`).
 * @typedef {{ status: string, kind?: string, code?: string, detail?: string, group?: string }} OpResult
 */
/** @typedef {{ op_id: string, result: OpResult }} OpOutcome */
/** @typedef {{ outcomes: OpOutcome[], server_time: number }} SyncResponse */
/** @typedef {{ server_time: number, today: string, groups: { id: number }[] }} OfflineBundle */

// The IndexedDB records:
/** @typedef {{ child_name?: string }} Info */
// Every record of a person's work carries `author`: the id of the person signed in when it
// was made (the `tabel_author` cookie). A shared tablet shows and sends each person's
// records only while that person is signed in.
/** Store `queue`. @typedef {{ op_id: string, op: MarkOp, info: Info, queued_at: number, author?: number }} Queued */
/**
 * Store `recent`: the latest local op per child and day.
 * @typedef {{ key: string, child_id: number, day: string, op_id: string, mark: Mark,
 *   recorded_at: number, acked_at: number | null, status: string, author?: number }} Recent
 */
/**
 * Store `conflicts`: a refused op and its refusal.
 * @typedef {{ op_id: string, op: MarkOp, info: Info,
 *   refusal: { kind?: string, code?: string, detail?: string, group?: string }, at: number,
 *   author?: number }} StoredConflict
 */
/** @typedef {'queue' | 'conflicts' | 'recent' | 'bundle' | 'meta'} StoreName */

// What the page gets (Rust: attendance::page::offline::State, LocalMark, Conflict):
/** @typedef {{ child_id: number, mark: Mark, acked_at: number | null, status: string }} LocalMark */
/**
 * @typedef {{ op_id: string, child_id: number, day: string, mark: Mark, child_name: string,
 *   kind: string, code: string, detail: string, group: string }} Conflict
 */
/**
 * @typedef {{ ready: boolean, online: boolean, pending: number, others_pending: number,
 *   syncing: boolean, error: string | null, error_en: string | null, saved_offline: boolean,
 *   marks: LocalMark[], conflicts: Conflict[], refresh: number }} State
 */
/** @typedef {{ group_id: number, day: string, listener: (json: string) => void }} Watched */
/** @typedef {Window & { tabelOffline?: object }} TabelWindow */

(() => {
  'use strict';
  if (/** @type {TabelWindow} */ (window).tabelOffline) return;

  const DB_NAME = 'tabel-offline';
  const DB_VERSION = 1;
  const MAX_BATCH = 200; // domain::sync::MAX_BATCH
  const RETRY_MIN_MS = 2000;
  const RETRY_MAX_MS = 60000;
  const SWEEP_MS = 30000;
  const BUNDLE_MAX_AGE_MS = 10 * 60000;
  // Local marks the server has taken are kept this long: a page copy cached before they
  // were sent does not show them, so they are laid over it (see `marks` in the state).
  const KEEP_ACKED_MS = 45 * 86400000;
  const DEVICE_KEY = 'tabel-device';
  const OFFSET_KEY = 'tabel-clock-offset';
  const AUTHOR_COOKIE = 'tabel_author'; // domain::sync::AUTHOR_COOKIE
  const LOGOUT_PATH = '/api/logout';
  const KNOWN = new Set(['applied', 'superseded', 'duplicate', 'refused']);

  /** @type {State} */
  const state = {
    // IndexedDB is open, so marks can be queued.
    ready: false,
    online: navigator.onLine,
    // Ops of the person signed in waiting in the queue, all pages together.
    pending: 0,
    // Ops of other people who used this tablet, waiting until they sign in again.
    others_pending: 0,
    syncing: false,
    // Why the last sync failed, for the teacher (Russian; `error_en` in English).
    error: null,
    error_en: null,
    // The service worker holds a copy of the watched page.
    saved_offline: false,
    // The latest local op per child on the watched day: { child_id, mark, acked_at, status }.
    marks: [],
    // Refused ops: { op_id, child_id, day, mark, child_name, kind, code, detail, group }.
    conflicts: [],
    // Bumped when the server's marks may differ from the page's: it reloads its sheet.
    refresh: 0,
  };

  /** @param {Uint8Array} bytes */
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  /** @param {unknown} id @returns {id is string} */
  const validDevice = (id) => typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id);

  /** @type {Watched | null} */
  let watched = null;
  let offset = Number(readLocal(OFFSET_KEY)) || 0;
  let device = loadDevice();

  /** @param {string} key */
  function readLocal(key) {
    try { return localStorage.getItem(key); } catch (_) { return null; }
  }

  /** @param {string} key @param {string} value */
  function writeLocal(key, value) {
    try { localStorage.setItem(key, value); } catch (_) { /* private mode: IndexedDB still has it */ }
  }

  function loadDevice() {
    const stored = readLocal(DEVICE_KEY);
    if (validDevice(stored)) return stored;
    const made = 'tab-' + hex(crypto.getRandomValues(new Uint8Array(8)));
    writeLocal(DEVICE_KEY, made);
    return made;
  }

  const serverNow = () => Date.now() + offset;

  // Who is signed in on this tablet now (a person id), or null when nobody is.
  /** @returns {number | null} */
  function currentAuthor() {
    for (const pair of document.cookie.split(';')) {
      const [name, value] = pair.trim().split('=');
      if (name === AUTHOR_COOKIE && /^\d+$/.test(value || '')) return Number(value);
    }
    return null;
  }

  /** @param {{ author?: number }} record @param {number | null} author */
  const madeBy = (record, author) => author !== null && record.author === author;

  /** What `error && error.message` gives, for any thrown value. @param {any} error */
  const messageOf = (error) => error && error.message;

  // ---- IndexedDB ----

  /** @type {Promise<IDBDatabase> | null} */
  let dbPromise = null;
  let dbFailed = false;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        if (!window.indexedDB) {
          reject(new Error('IndexedDB is not available'));
          return;
        }
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore('queue', { keyPath: 'op_id' });
          db.createObjectStore('conflicts', { keyPath: 'op_id' });
          db.createObjectStore('recent', { keyPath: 'key' });
          // Empty: nothing of the offline bundle is kept any more (see refreshBundle).
          db.createObjectStore('bundle');
          db.createObjectStore('meta');
        };
        request.onsuccess = () => {
          const db = request.result;
          // A newer version of this script in another tab wants to upgrade: let it.
          db.onversionchange = () => db.close();
          resolve(db);
        };
        request.onerror = () => reject(request.error);
      });
      dbPromise.then(adoptMeta, () => { dbFailed = true; });
    }
    return dbPromise;
  }

  /** @template T @param {IDBRequest<T>} request @returns {Promise<T>} */
  const done = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  // Runs `work` in one transaction and resolves with its result once it has committed.
  // `work` may only await requests of this transaction, or it would end early.
  /**
   * @template T
   * @param {StoreName[]} names
   * @param {IDBTransactionMode} mode
   * @param {(stores: Record<StoreName, IDBObjectStore>) => T | Promise<T>} work
   * @returns {Promise<T>}
   */
  async function tx(names, mode, work) {
    const db = await openDb();
    const t = db.transaction(names, mode);
    const committed = new Promise((resolve, reject) => {
      t.oncomplete = resolve;
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('transaction aborted'));
    });
    const stores = /** @type {Record<StoreName, IDBObjectStore>} */ ({});
    for (const name of names) stores[name] = t.objectStore(name);
    let result;
    try {
      result = await work(stores);
    } catch (error) {
      try { t.abort(); } catch (_) { /* already finished */ }
      throw error;
    }
    await committed;
    return result;
  }

  // The device id is made once; IndexedDB outlives a cleared localStorage and the other
  // way round, so whichever has one gives it to the other.
  async function adoptMeta() {
    await tx(['meta'], 'readwrite', async ({ meta }) => {
      const stored = await done(meta.get('device'));
      if (validDevice(stored)) {
        device = stored;
        writeLocal(DEVICE_KEY, stored);
      } else {
        meta.put(device, 'device');
      }
      const storedOffset = await done(meta.get('clock_offset'));
      if (typeof storedOffset === 'number' && readLocal(OFFSET_KEY) === null) offset = storedOffset;
    });
  }

  /** @param {unknown} serverTime @param {number} sent @param {number} received */
  function learnOffset(serverTime, sent, received) {
    if (typeof serverTime !== 'number') return;
    // The server read its clock about halfway through the round trip.
    offset = Math.round(serverTime - (sent + received) / 2);
    writeLocal(OFFSET_KEY, String(offset));
    tx(['meta'], 'readwrite', ({ meta }) => { meta.put(offset, 'clock_offset'); }).catch(() => {});
  }

  // ---- state for the page ----

  const channel = 'BroadcastChannel' in window ? new BroadcastChannel('tabel-offline') : null;
  if (channel) channel.onmessage = () => loadState();

  // Another tab of this tablet changed the stores.
  function changed() {
    if (channel) channel.postMessage('changed');
  }

  function notify() {
    if (watched && watched.listener) {
      try {
        watched.listener(JSON.stringify(state));
      } catch (error) {
        console.error('tabelOffline: the page did not take the state', error);
      }
    }
  }

  async function loadState() {
    try {
      const author = currentAuthor();
      /** @type {[Queued[], Recent[], StoredConflict[]]} */
      const [queued, recent, conflicts] = await tx(['queue', 'recent', 'conflicts'], 'readonly', async (s) => [
        await done(s.queue.getAll()),
        watched ? await done(s.recent.getAll()) : [],
        await done(s.conflicts.getAll()),
      ]);
      const own = queued.filter((q) => madeBy(q, author)).length;
      state.ready = true;
      state.pending = own;
      state.others_pending = queued.length - own;
      state.marks = recent
        .filter((r) => watched && r.day === watched.day && madeBy(r, author))
        .map((r) => ({ child_id: r.child_id, mark: r.mark, acked_at: r.acked_at, status: r.status }));
      state.conflicts = conflicts
        .filter((c) => madeBy(c, author))
        .sort((a, b) => a.at - b.at)
        .map((c) => ({
          op_id: c.op_id,
          child_id: c.op.child_id,
          day: c.op.day,
          mark: c.op.mark,
          child_name: (c.info && c.info.child_name) || `№ ${c.op.child_id}`,
          // Flat, as the page reads it: the kind and its fields (`code`, `detail`, `group`).
          kind: String((c.refusal && c.refusal.kind) || ''),
          code: String((c.refusal && c.refusal.code) || ''),
          detail: String((c.refusal && c.refusal.detail) || ''),
          group: String((c.refusal && c.refusal.group) || ''),
        }));
    } catch (error) {
      state.ready = false;
      state.error = `Отметки нельзя сохранить на этом устройстве (${messageOf(error)}).`;
      state.error_en = 'Marks cannot be kept on this device.';
    }
    notify();
  }

  // ---- queueing ----

  // `json`: [{ op: MarkOp, info: { child_name } }], made by the page. The ops are in
  // IndexedDB before the page shows them (it waits for the state that follows).
  /** @param {string} json */
  function enqueue(json) {
    /** @type {{ op: MarkOp, info?: Info }[]} */
    const items = JSON.parse(json);
    const author = currentAuthor();
    if (author === null) {
      state.error = 'Вы вышли из системы: отметка не сохранена. Войдите и отметьте снова.';
      state.error_en = 'You are signed out: the mark was not kept. Sign in and mark again.';
      notify();
      return;
    }
    tx(['queue', 'recent', 'conflicts'], 'readwrite', async (s) => {
      /** @type {StoredConflict[]} */
      const conflicts = await done(s.conflicts.getAll());
      for (const { op, info } of items) {
        s.queue.put({ op_id: op.op_id, op, info: info || {}, queued_at: Date.now(), author });
        s.recent.put({
          key: `${op.child_id}|${op.day}`,
          child_id: op.child_id,
          day: op.day,
          op_id: op.op_id,
          mark: op.mark,
          recorded_at: op.recorded_at,
          acked_at: null,
          status: 'queued',
          author,
        });
        // Marking the day again answers its conflict.
        for (const c of conflicts) {
          if (madeBy(c, author) && c.op.child_id === op.child_id && c.op.day === op.day) s.conflicts.delete(c.op_id);
        }
      }
    }).then(
      () => {
        changed();
        loadState();
        sync();
      },
      (error) => {
        state.error = `Отметка не сохранена на устройстве: ${messageOf(error)}. Повторите отметку.`;
        state.error_en = 'The mark was not stored on this device. Mark again.';
        notify();
      },
    );
  }

  /** @param {string} opId */
  function dismiss(opId) {
    tx(['conflicts'], 'readwrite', ({ conflicts }) => { conflicts.delete(opId); })
      .then(() => { changed(); loadState(); }, () => {});
  }

  // What the page needs to make an op itself (domain::sync::OpId::new_v7 in Rust): the
  // device id, the clock with the server's offset, random bits for the id.
  const deviceId = () => device;
  const random = () => crypto.getRandomValues(new Uint8Array(10));

  // ---- sync ----

  let syncing = false;
  let again = false;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let retryTimer = null;
  let retryDelay = RETRY_MIN_MS;
  // After a reconnection the server may hold other tablets' marks: the page reloads.
  let refreshAfterSync = false;

  class HttpError extends Error {
    /** @param {number} status @param {string} ru @param {string} en */
    constructor(status, ru, en) {
      super(`HTTP ${status}`);
      this.status = status;
      this.ru = ru;
      this.en = en;
    }
  }

  /** @param {Response} response */
  async function httpError(response) {
    let body = null;
    try { body = await response.json(); } catch (_) { /* not an AppError */ }
    if (response.status === 401) {
      return new HttpError(401, 'Сессия закончилась: войдите снова, и отметки отправятся.',
        'Signed out: sign in again to send the marks.');
    }
    return new HttpError(response.status,
      (body && body.ru) || `Сервер не принял отправку (код ${response.status}), повторим позже.`,
      (body && body.en) || `The server did not take the upload (status ${response.status}); retrying.`);
  }

  function scheduleRetry() {
    if (retryTimer !== null) clearTimeout(retryTimer);
    const jitter = 0.75 + Math.random() / 2;
    retryTimer = setTimeout(() => { retryTimer = null; sync(); }, retryDelay * jitter);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  // Sends the queue, oldest first, in chunks of at most MAX_BATCH, one request at a time
  // (across tabs too, through a Web Lock when there is one). An op leaves the queue only
  // when the answer names it.
  async function sync() {
    if (syncing) {
      again = true;
      return;
    }
    if (!navigator.onLine || location.pathname === '/login' || currentAuthor() === null) return;
    syncing = true;
    state.syncing = true;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    let failed = false;
    let attention = false;
    try {
      const run = () => drain().then((seen) => { attention = seen; });
      if (navigator.locks) await navigator.locks.request('tabel-sync', run);
      else await run();
      state.error = null;
      state.error_en = null;
      retryDelay = RETRY_MIN_MS;
    } catch (error) {
      failed = true;
      if (error instanceof HttpError) {
        state.error = error.ru;
        state.error_en = error.en;
      } else {
        state.error = 'Нет связи с сервером: отметки ждут отправки на этом устройстве.';
        state.error_en = 'No connection: the marks wait on this device.';
      }
      scheduleRetry();
    } finally {
      syncing = false;
      state.syncing = false;
      if (!failed && (attention || refreshAfterSync)) {
        refreshAfterSync = false;
        state.refresh += 1;
      }
      await loadState();
      if (again) {
        again = false;
        if (!failed) sync();
      }
    }
  }

  // Sends only the ops of the person signed in, under their name: the server refuses a
  // batch whose author is not the session's person, so another's ops could only fail.
  // Returns whether some op was superseded or refused: the page then shows the server's mark.
  async function drain() {
    let attention = false;
    for (;;) {
      const author = currentAuthor();
      if (author === null) return attention;
      /** @type {Queued[]} */
      const all = await tx(['queue'], 'readonly', ({ queue }) => done(queue.getAll()));
      const queued = all.filter((item) => madeBy(item, author)).slice(0, MAX_BATCH);
      if (queued.length === 0) return attention;
      // An envelope names one device; ops of an older device id (storage partly cleared)
      // go in a request of their own.
      const envelope = queued[0].op.device;
      const batch = queued.filter((item) => item.op.device === envelope);
      const sent = Date.now();
      const response = await fetch('/api/sync_marks', {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ device: envelope, author, ops: batch.map((item) => item.op) }),
      });
      if (!response.ok) throw await httpError(response);
      /** @type {SyncResponse} */
      const answer = await response.json();
      learnOffset(answer.server_time, sent, Date.now());
      const result = await applyOutcomes(batch, answer.outcomes, serverNow());
      attention = attention || result.attention;
      changed();
      if (result.acked === 0) {
        throw new HttpError(response.status, 'Сервер не ответил ни за одну отметку, повторим позже.',
          'The server answered for none of the marks; retrying.');
      }
    }
  }

  /**
   * @param {Queued[]} batch
   * @param {unknown} outcomes the answer's, checked here: only well-formed ones count
   * @param {number} ackedAt
   */
  async function applyOutcomes(batch, outcomes, ackedAt) {
    const sent = new Map(batch.map((item) => [item.op_id, item]));
    let acked = 0;
    let attention = false;
    await tx(['queue', 'recent', 'conflicts'], 'readwrite', async (s) => {
      for (const outcome of /** @type {OpOutcome[]} */ (Array.isArray(outcomes) ? outcomes : [])) {
        const id = String(outcome && outcome.op_id).toLowerCase();
        const item = sent.get(id);
        const result = outcome && outcome.result;
        if (!item || !result || !KNOWN.has(result.status)) continue;
        sent.delete(id);
        acked += 1;
        s.queue.delete(id);
        const key = `${item.op.child_id}|${item.op.day}`;
        /** @type {Recent | undefined} */
        const recent = await done(s.recent.get(key));
        if (recent && recent.op_id === id) {
          recent.acked_at = ackedAt;
          recent.status = result.status;
          s.recent.put(recent);
        }
        if (result.status === 'refused') {
          const { status: _status, ...refusal } = result;
          s.conflicts.put({ op_id: id, op: item.op, info: item.info, refusal, at: ackedAt, author: item.author });
          attention = true;
        } else if (result.status === 'superseded') {
          attention = true;
        }
      }
    });
    return { acked, attention };
  }

  async function prune() {
    const before = serverNow() - KEEP_ACKED_MS;
    await tx(['recent'], 'readwrite', async ({ recent }) => {
      for (const r of await done(recent.getAll())) {
        if (r.acked_at !== null && r.acked_at < before) recent.delete(r.key);
      }
    });
  }

  // ---- the offline bundle (app/src/sync/bundle.rs: the server clock and date, the groups
  // the user may mark) ----

  async function refreshBundle() {
    if (!navigator.onLine) return;
    const fetchedAt = await tx(['meta'], 'readonly', ({ meta }) => done(meta.get('bundle_at')));
    if (typeof fetchedAt === 'number' && Date.now() - fetchedAt < BUNDLE_MAX_AGE_MS) return;
    const sent = Date.now();
    const response = await fetch('/api/offline_bundle', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: '',
    });
    if (!response.ok) return;
    /** @type {OfflineBundle} */
    const bundle = await response.json();
    learnOffset(bundle.server_time, sent, Date.now());
    // Nothing of it is read back, so only the time it was fetched is stored. The `bundle`
    // store is emptied: earlier versions kept the whole bundle there, rosters and marks.
    await tx(['bundle', 'meta'], 'readwrite', (s) => {
      s.bundle.clear();
      s.meta.put(Date.now(), 'bundle_at');
    });
    // Today's page of each of her groups opens offline even if she has not opened it yet.
    if (typeof bundle.today === 'string' && Array.isArray(bundle.groups)) {
      keepPages(bundle.groups.slice(0, 10).map((g) => `/groups/${g.id}/marks/${bundle.today}`));
    }
  }

  // ---- the service worker ----

  /** @param {string[]} urls @returns {Promise<unknown[]>} */
  function keepPages(urls) {
    if (!('serviceWorker' in navigator)) return Promise.resolve([]);
    return navigator.serviceWorker.ready.then((registration) => new Promise((resolve) => {
      const worker = registration.active;
      if (!worker) {
        resolve([]);
        return;
      }
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = (event) => resolve((event.data && event.data.results) || []);
      worker.postMessage({ type: 'keep-pages', urls }, [port2]);
    }));
  }

  function keepWatchedPage() {
    if (!watched) return;
    const page = watched;
    keepPages([location.pathname]).then((results) => {
      if (watched === page && results[0] === true) {
        state.saved_offline = true;
        notify();
      }
    }, () => {});
  }

  function showUpdateBanner() {
    if (document.querySelector('.sw-update')) return;
    const banner = document.createElement('div');
    banner.className = 'sw-update';
    banner.setAttribute('role', 'status');
    banner.innerHTML = '<span>Установлена новая версия Табеля. <span lang="en">A new version is installed.</span></span>';
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Обновить страницу';
    button.addEventListener('click', () => location.reload());
    banner.appendChild(button);
    document.body.appendChild(banner);
  }

  // Not from the login page (nothing there works offline, and installing fetches the whole
  // wasm while the sign-in is under way); elsewhere after the page has loaded, for the same
  // reason.
  if ('serviceWorker' in navigator && location.pathname !== '/login') {
    const hadController = !!navigator.serviceWorker.controller;
    const register = () => navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' })
      .catch((error) => console.warn('tabelOffline: no service worker, pages will not open offline', error));
    if (document.readyState === 'complete') register();
    else window.addEventListener('load', register, { once: true });
    // A new build took over this tab; the running wasm is the old one until a reload.
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (hadController) showUpdateBanner();
    });
  }

  // ---- a tablet shared by several people ----

  // What the tablet keeps of one person's for display goes when they sign out or someone
  // else signs in: the marking pages, the bundle's time, the overlay of marks already
  // sent. Unsent ops and refusals stay, each bound to its author: shown and sent only
  // while that person is signed in.
  async function forgetPrivate() {
    // The worker forgets too (what it fetched lately), and is waited for: a page it keeps
    // next must not land in a cache being deleted.
    const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (worker) {
      await new Promise((resolve) => {
        const { port1, port2 } = new MessageChannel();
        port1.onmessage = resolve;
        setTimeout(resolve, 3000);
        worker.postMessage({ type: 'forget-pages' }, [port2]);
      });
    }
    // Here too: a tab that no worker controls cannot ask one.
    if (window.caches) {
      for (const name of await caches.keys()) {
        if (name.startsWith('tabel-pages-')) await caches.delete(name);
      }
    }
    await tx(['bundle', 'meta', 'recent'], 'readwrite', async (s) => {
      s.bundle.clear();
      s.meta.delete('bundle_at');
      s.meta.delete('owner');
      for (const r of await done(s.recent.getAll())) {
        if (r.acked_at !== null) s.recent.delete(r.key);
      }
    });
  }

  // A person's first page on this tablet: what the previous person left for display goes.
  // Records from before authors were kept (no `author`) become this person's, the one
  // most likely to have made them; they were sent under whoever was signed in before.
  async function adoptTablet() {
    const author = currentAuthor();
    if (author === null) return;
    const owner = await tx(['meta'], 'readonly', ({ meta }) => done(meta.get('owner')));
    if (owner !== author) await forgetPrivate();
    await tx(['meta', 'queue', 'recent', 'conflicts'], 'readwrite', async (s) => {
      s.meta.put(author, 'owner');
      for (const name of /** @type {StoreName[]} */ (['queue', 'recent', 'conflicts'])) {
        for (const record of await done(s[name].getAll())) {
          if (typeof record.author !== 'number') s[name].put({ ...record, author });
        }
      }
    });
  }
  let adopted = Promise.resolve();
  const adopt = () => {
    adopted = adopted.then(adoptTablet).catch(() => {});
    return adopted;
  };

  // ---- signing out ----

  const english = () => document.documentElement.lang === 'en';

  // The person's own ops still in the queue.
  async function waitingOps() {
    const author = currentAuthor();
    /** @type {Queued[]} */
    const queued = await tx(['queue'], 'readonly', ({ queue }) => done(queue.getAll()));
    return queued.filter((q) => madeBy(q, author)).length;
  }

  // Sends what waits, then counts what still does.
  async function sendWaiting() {
    await sync();
    return waitingOps();
  }

  /**
   * A modal question; resolves with the value of the button pressed (Escape: `null`).
   * @param {string} title @param {string[]} lines
   * @param {{ label: string, value: string, primary?: boolean }[]} buttons
   * @returns {Promise<string | null>}
   */
  function ask(title, lines, buttons) {
    return new Promise((resolve) => {
      const dialog = document.createElement('dialog');
      dialog.className = 'signout-dialog';
      dialog.setAttribute('aria-labelledby', 'signout-title');
      const heading = document.createElement('h2');
      heading.id = 'signout-title';
      heading.textContent = title;
      const text = document.createElement('div');
      for (const line of lines) {
        const p = document.createElement('p');
        p.textContent = line;
        text.appendChild(p);
      }
      const actions = document.createElement('div');
      actions.className = 'actions';
      for (const { label, value, primary } of buttons) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = label;
        button.dataset.value = value;
        if (!primary) button.className = 'secondary';
        button.addEventListener('click', () => dialog.close(value));
        actions.appendChild(button);
      }
      dialog.append(heading, text, actions);
      dialog.addEventListener('close', () => {
        dialog.remove();
        resolve(dialog.returnValue || null);
      });
      document.body.appendChild(dialog);
      dialog.showModal();
    });
  }

  /** @param {number} waiting */
  function waitingLines(waiting) {
    return english()
      ? [`Marks not sent to the server yet: ${waiting}.`,
        'If you sign out now, they stay on this tablet and are sent when you sign in here again. Nobody else who signs in sees them.']
      : [`Отметок ещё не отправлено на сервер: ${waiting}.`,
        'Если выйти сейчас, они останутся на этом планшете и отправятся, когда вы снова войдёте на нём. Другие, кто войдёт, их не увидят.'];
  }

  // Whether to sign out with marks still waiting: the person may try sending again.
  /** @param {number} waiting @returns {Promise<boolean>} */
  async function confirmWaiting(waiting) {
    const en = english();
    for (;;) {
      const choice = await ask(
        en ? 'Some marks have not been sent' : 'Не все отметки отправлены',
        waitingLines(waiting),
        [
          { label: en ? 'Try sending again' : 'Отправить ещё раз', value: 'retry', primary: true },
          { label: en ? 'Sign out, the marks will wait' : 'Выйти, отметки подождут', value: 'leave' },
          { label: en ? 'Stay signed in' : 'Остаться', value: 'stay' },
        ],
      );
      if (choice === 'leave') return true;
      if (choice !== 'retry') return false;
      waiting = await sendWaiting();
      if (waiting === 0) return true;
    }
  }

  let signingOut = false;

  // Sends what the person has waiting, asks if some still wait, ends the session, and
  // forgets the person's pages before the login page loads in full (no app state left).
  async function signOut() {
    if (signingOut) return;
    signingOut = true;
    try {
      let waiting = usable() ? await waitingOps().catch(() => 0) : 0;
      if (waiting > 0 && navigator.onLine) waiting = await sendWaiting().catch(() => 0);
      if (waiting > 0 && !(await confirmWaiting(waiting))) return;
      let response;
      try {
        response = await fetch(LOGOUT_PATH, {
          method: 'POST',
          credentials: 'same-origin',
          redirect: 'manual',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: '',
        });
      } catch (_) {
        response = null;
      }
      if (!response || (response.type !== 'opaqueredirect' && !response.ok)) {
        const en = english();
        await ask(en ? 'Could not sign out' : 'Выйти не получилось',
          [en ? 'No connection to the server: try again when the network is back.'
            : 'Нет связи с сервером: попробуйте ещё раз, когда появится сеть.'],
          [{ label: 'OK', value: 'ok', primary: true }]);
        return;
      }
      await forgetPrivate().catch(() => {});
      location.replace('/login');
    } finally {
      signingOut = false;
    }
  }

  // The sign-out form (the top bar's, posting to /api/logout) is taken over here, ahead
  // of the hydrated app and of the browser: without this script it still posts, and the
  // login page it ends on forgets the pages when it loads.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (new URL(form.action, location.href).pathname !== LOGOUT_PATH) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    signOut();
  }, true);

  // ---- the page's interface ----

  // `json`: { group_id, day }; `listener` gets the state as JSON on every change.
  /** @param {string} json @param {(state: string) => void} listener */
  function watch(json, listener) {
    /** @type {{ group_id: number, day: string }} */
    const page = JSON.parse(json);
    const mine = { group_id: page.group_id, day: page.day, listener };
    watched = mine;
    state.saved_offline = false;
    state.marks = [];
    // After a sign-in without a full page load, the first page adopts the tablet here.
    adopt().then(() => {
      if (watched !== mine) return;
      loadState();
      keepWatchedPage();
      sync();
      refreshBundle().catch(() => {});
    });
  }

  function unwatch() {
    watched = null;
  }

  // Whether marks can go through the queue; if not, the page saves them directly.
  function usable() {
    return !!window.indexedDB && !dbFailed;
  }

  window.addEventListener('online', () => {
    state.online = true;
    refreshAfterSync = true;
    notify();
    sync();
    if (watched) {
      keepWatchedPage();
      refreshBundle().catch(() => {});
    }
  });
  window.addEventListener('offline', () => {
    state.online = false;
    notify();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && navigator.onLine) {
      refreshAfterSync = true;
      sync();
    }
  });
  setInterval(() => {
    if (state.pending > 0 && !syncing && retryTimer === null) sync();
  }, SWEEP_MS);

  /** @type {TabelWindow} */ (window).tabelOffline = { watch, unwatch, enqueue, dismiss, usable, device: deviceId, now: serverNow, random };

  // ---- taps before the client has loaded ----

  // The server-rendered marking page shows the roster at once, but its buttons work only
  // once the wasm has hydrated the page: seconds on a slow tablet. A tap before that is
  // kept here, shown on its button, and made again on the same button (found by child
  // and kind, should hydration have replaced it) as soon as the page is hydrated.
  /** @type {{ child: string | null, selector: string }[]} */
  const earlyTaps = [];
  const hydratedYet = () => !!document.body && document.body.dataset.hydrated === 'true';
  const TAPPABLE = ['.present-button', '.absent-button', '.all-present'];
  document.addEventListener('click', (event) => {
    if (hydratedYet()) return;
    const target = /** @type {Element | null} */ (event.target);
    const button = target && target.closest && target.closest(TAPPABLE.map((c) => `button${c}`).join(', '));
    if (!button || /** @type {HTMLButtonElement} */ (button).disabled) return;
    const row = button.closest('li.mark-row');
    const selector = `button${TAPPABLE.find((c) => button.matches(c))}`;
    earlyTaps.push({ child: row && row.getAttribute('data-child'), selector });
    button.classList.add('is-early');
  }, true);

  function replayEarlyTaps() {
    for (const { child, selector } of earlyTaps.splice(0)) {
      const scope = child === null
        ? document
        : Array.from(document.querySelectorAll('li.mark-row')).find((r) => r.getAttribute('data-child') === child);
      const button = scope && /** @type {HTMLButtonElement | null} */ (scope.querySelector(selector));
      if (!button) continue;
      button.classList.remove('is-early');
      if (!button.disabled) button.click();
    }
  }

  new MutationObserver((_, observer) => {
    if (!hydratedYet()) return;
    observer.disconnect();
    replayEarlyTaps();
  }).observe(document.documentElement, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });

  // Print buttons (`data-action="print"`): a listener here rather than an inline
  // onclick, which the Content-Security-Policy forbids; it works before the wasm loads.
  document.addEventListener('click', (event) => {
    const target = /** @type {Element | null} */ (event.target);
    if (target && target.closest && target.closest('[data-action="print"]')) window.print();
  });

  if (location.pathname === '/login') {
    forgetPrivate().catch(() => {});
  } else {
    openDb().then(adopt).then(() => prune()).then(() => loadState()).then(() => sync()).catch(() => loadState());
  }
})();
