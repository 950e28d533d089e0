// ACT Early's service worker. Served at /sw.js by web/offline/routes.py, which replaces the CONFIG line
// with the version (a hash of the built assets, the content and the templates) and the precache list
// (read from the built page shell). Nothing here is edited by hand when the site changes.
// The strategy for each kind of request is in service_worker/README.md.

/* global self, caches, fetch, Headers, Request, Response, URL */
'use strict'

const CONFIG = /* CONFIG */ { version: 'dev', precache: [], shellPages: [], languages: ['en'], formPaths: [], bypass: [], timeout: 3000 }

const PREFIX = 'act-early-'
const SHELL = `${PREFIX}shell-${CONFIG.version}`
const PAGES = `${PREFIX}pages-${CONFIG.version}`
const PAGES_PREFIX = `${PREFIX}pages-`

function isFormPage (path) {
  return CONFIG.formPaths.some((part) => path.includes(part))
}

function languageOf (path) {
  const first = path.split('/')[1]
  return CONFIG.languages.includes(first) ? first : CONFIG.languages[0]
}

// Only a plain, complete, same-origin page that asks to be stored may be stored.
function cacheable (response, path) {
  if (!response || response.status !== 200 || response.type !== 'basic' || response.redirected) return false
  const control = (response.headers.get('Cache-Control') || '').toLowerCase()
  return !control.includes('no-store') && !control.includes('private') && !isFormPage(path)
}

// The stylesheet this version keeps, named on every navigation the worker forwards: the server then links
// it instead of putting the page's CSS inline for a first paint in one round trip (web/shell/critical.py).
const STYLES_HEADER = 'X-Cached-Styles'
const STYLES = (CONFIG.precache.find((url) => /\/app\.[0-9a-f]+\.css$/.test(url)) || '').split('/').pop()

function withStyles (request) {
  if (!STYLES) return request
  const headers = new Headers(request.headers)
  headers.set(STYLES_HEADER, STYLES)
  return new Request(request, { headers })
}

function pageKey (url) {
  return new URL(url, self.location.origin).pathname
}

// After Exit nothing may be written (issue 13): `forget` sets this flag and aborts every fetch the worker
// has in flight, and no write happens to a cache that is not there already (`caches.open` would create
// it), so a response that lands late cannot bring back what Exit removed.
let forgotten = false
let inFlight = new AbortController()

async function openExisting (name) {
  return !forgotten && (await caches.has(name)) ? caches.open(name) : null
}

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(CONFIG.precache.map((url) => withStyles(new Request(url))))))
})

// Saved pages move into this version's cache (refreshed when next read online); older caches go. Each
// page is checked again on the way, by this version's rules: one an older worker should not have kept
// (a form page, a private answer) is left behind.
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys()
    for (const name of names.filter((name) => name.startsWith(PAGES_PREFIX) && name !== PAGES)) {
      const old = await caches.open(name)
      for (const request of await old.keys()) {
        const path = pageKey(request.url)
        const response = await old.match(request)
        if (forgotten || !cacheable(response, path)) continue
        const pages = await caches.open(PAGES)
        if (!(await pages.match(request))) await pages.put(request, response)
      }
    }
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== SHELL && name !== PAGES)
      .map((name) => caches.delete(name)))
    await self.clients.claim()
  })())
})

// The reader asked to save these pages: the only way a page gets into the pages cache.
async function save (urls) {
  const failed = []
  const queue = [...urls]
  async function next () {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      try {
        const response = await fetch(withStyles(new Request(url, { credentials: 'same-origin', signal: inFlight.signal })))
        if (!forgotten && cacheable(response, pageKey(url))) await (await caches.open(PAGES)).put(pageKey(url), response)
        else failed.push(url)
      } catch (error) {
        failed.push(url)
      }
    }
  }
  await Promise.all([next(), next(), next(), next()])
  return { saved: urls.length - failed.length, failed }
}

async function forget () {
  forgotten = true
  inFlight.abort()
  inFlight = new AbortController()
  const names = await caches.keys()
  await Promise.all(names.filter((name) => name.startsWith(PREFIX)).map((name) => caches.delete(name)))
  await self.registration.unregister()
}

self.addEventListener('message', (event) => {
  const message = event.data || {}
  const reply = event.ports[0]
  if (message.type === 'save') {
    event.waitUntil(save(message.urls || []).then((result) => reply && reply.postMessage(result)))
  } else if (message.type === 'forget') {
    event.waitUntil(forget())
  } else if (message.type === 'changed') {
    // The page asks whether the saved copy it was given has changed since: answered once the refresh is done.
    event.waitUntil((changes.get(message.path) || Promise.resolve(false)).then((changed) => reply && reply.postMessage({ changed })))
  } else if (message.type === 'skip-waiting') {
    self.skipWaiting()
  }
})

// The offline and saved-pages pages belong to the shell; every other page is kept only when saved.
function storeFor (path) {
  return CONFIG.shellPages.includes(path) ? SHELL : PAGES
}

// Reading never creates a cache: `caches.match` with a cache name looks only in a cache that exists.
function storedCopy (path) {
  return caches.match(path, { cacheName: storeFor(path), ignoreVary: true, ignoreSearch: true })
}

async function offlinePage (path) {
  const page = await caches.match(`/${languageOf(path)}/offline`, { cacheName: SHELL, ignoreVary: true })
  return page || Response.error()
}

// Pages: the network first. A stored copy is used when the network fails, or is slower than the
// timeout; a page that is not stored waits for the network however slow it is (a 2G connection is
// not "offline"), and shows the offline page only when the network fails. A stored copy is
// refreshed whenever the page is read online; a page is never stored just because it was read.
function networkFirst (event, path) {
  const network = fetch(withStyles(event.request), { signal: inFlight.signal })
  const refresh = network.then(async (response) => {
    const copy = response.clone() // before the page starts reading the body
    const shellPage = storeFor(path) === SHELL
    if (!cacheable(response, path) || !(shellPage || (await storedCopy(path)))) return
    const store = await openExisting(storeFor(path))
    if (store) await store.put(path, copy)
  }).catch(() => {})
  event.waitUntil(refresh)
  return (async () => {
    const stored = await storedCopy(path)
    if (!stored) return network.catch(() => offlinePage(path))
    const timeout = new Promise((resolve) => setTimeout(() => resolve(stored), CONFIG.timeout))
    return Promise.race([network.catch(() => stored), timeout])
  })()
}

// The revision of the content a page shows (`data-revision` on <html>, templates/base.html): what says the
// advice changed, where the body also changes with the hour's form token or the support line's hours.
async function revisionOf (response) {
  const found = /<html[^>]*\sdata-revision="([^"]*)"/.exec(await response.clone().text())
  return found ? found[1] : null
}

// Whether the saved copy of a page changed, by path, for the page that was given it (message 'changed').
const changes = new Map()

// A page the reader saved: from the device at once, whatever the network. It is refreshed in the background;
// when the new copy shows other advice, the page asks (static/js/offline.mjs) and offers to show it.
function savedFirst (event, path, stored) {
  const before = revisionOf(stored) // read from a copy now: the page reads the body itself
  const refresh = (async () => {
    const response = await fetch(withStyles(event.request), { signal: inFlight.signal })
    if (!cacheable(response, path)) return false
    const copy = response.clone()
    const changed = (await revisionOf(response)) !== (await before)
    const store = await openExisting(PAGES)
    if (store && (await storedCopy(path))) await store.put(path, copy)
    return Boolean(store) && changed
  })().catch(() => false)
  changes.set(path, refresh)
  event.waitUntil(refresh)
  return stored
}

// Assets have content-hashed names and never change: the cache first. A page saved under an older
// version names older assets: offline, it gets this version's asset of the same name (app.css).
async function cacheFirst (request, path) {
  const cached = await caches.match(request, { cacheName: SHELL, ignoreVary: true })
  if (cached) return cached
  try {
    return await fetch(request)
  } catch (error) {
    const shell = await openExisting(SHELL)
    if (!shell) throw error
    const [stem, , extension] = path.split('/').pop().split('.')
    for (const key of await shell.keys()) {
      const parts = pageKey(key.url).split('/').pop().split('.')
      if (parts[0] === stem && parts[2] === extension) return shell.match(key, { ignoreVary: true })
    }
    throw error
  }
}

// Versioned JSON and pages the shell needs (pages.json, the saved-pages page): from this version's
// cache, stored on first use.
async function shellFirst (request, path) {
  const cached = await caches.match(path, { cacheName: SHELL, ignoreVary: true })
  if (cached) return cached
  const response = await fetch(request)
  const shell = cacheable(response, path) ? await openExisting(SHELL) : null
  if (shell) await shell.put(path, response.clone())
  return response
}

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin || CONFIG.bypass.includes(url.pathname)) return
  const path = url.pathname
  if (path.startsWith('/assets/') || path.startsWith('/icons/')) {
    event.respondWith(cacheFirst(request, path))
  } else if (path.endsWith('/offline/pages.json')) {
    event.respondWith(shellFirst(request, path))
  } else if (request.mode === 'navigate' && isFormPage(path)) {
    // Never stored; offline, the offline page (with the phone numbers) instead of the browser's error.
    event.respondWith(fetch(withStyles(request)).catch(() => offlinePage(path)))
  } else if (request.mode === 'navigate' && storeFor(path) === PAGES) {
    event.respondWith(storedCopy(path).then((stored) => {
      if (stored) return savedFirst(event, path, stored)
      changes.delete(path) // not saved (any more): nothing to offer
      return networkFirst(event, path)
    }))
  } else if (request.mode === 'navigate') {
    event.respondWith(networkFirst(event, path))
  }
})
