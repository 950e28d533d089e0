// Offline reading, an enhancement: registers the service worker (service_worker/sw.js), offers to save
// advice showing its size first, lists and removes saved pages, offers a refresh when a new version is
// ready, and forgets everything on "Exit this page". Pages work fully without this file.
import { EXIT_EVENT } from './modules/exit.mjs'

const PREFIX = 'act-early-'
const PAGES_PREFIX = `${PREFIX}pages-`
const supported = 'serviceWorker' in navigator && 'caches' in window && window.isSecureContext

// Exit this page: fire and forget, so leaving is not delayed. The worker finishes the job even after
// this page has gone, and the /exit response's Clear-Site-Data header removes whatever is left.
function forgetEverything () {
  if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: 'forget' })
  caches.keys().then((names) => names.filter((name) => name.startsWith(PREFIX)).forEach((name) => caches.delete(name)))
  navigator.serviceWorker.getRegistrations().then((registrations) => registrations.forEach((r) => r.unregister()))
}

function offerRefresh (worker) {
  const region = document.querySelector('[data-offline-update]')
  const template = document.querySelector('[data-offline-update-template]')
  if (!region || !template || region.childElementCount) return
  region.append(template.content.cloneNode(true))
  region.querySelector('[data-offline-refresh]').addEventListener('click', () => {
    navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload())
    worker.postMessage({ type: 'skip-waiting' })
  })
}

async function register () {
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'all' })
  const offer = (worker) => { if (navigator.serviceWorker.controller) offerRefresh(worker) }
  if (registration.waiting) offer(registration.waiting)
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing
    if (worker) worker.addEventListener('statechange', () => { if (worker.state === 'installed') offer(worker) })
  })
}

const catalogues = {}
function catalogue (lang) {
  catalogues[lang] = catalogues[lang] || fetch(`/${lang}/offline/pages.json`).then((response) => {
    if (!response.ok) throw new Error(`pages.json: ${response.status}`)
    return response.json()
  })
  return catalogues[lang]
}

const kilobytes = (bytes) => `${Math.max(1, Math.round(bytes / 1024))} KB`

function askWorker (message) {
  return navigator.serviceWorker.ready.then((registration) => new Promise((resolve, reject) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = (event) => resolve(event.data)
    registration.active.postMessage(message, [channel.port2])
    setTimeout(() => reject(new Error('the service worker did not answer')), 120000)
  }))
}

async function pagesCaches () {
  const names = (await caches.keys()).filter((name) => name.startsWith(PAGES_PREFIX))
  return Promise.all(names.map((name) => caches.open(name)))
}

async function savedPaths () {
  const paths = new Set()
  for (const cache of await pagesCaches()) {
    for (const request of await cache.keys()) paths.add(new URL(request.url).pathname)
  }
  return [...paths].sort()
}

async function forget (paths) {
  for (const cache of await pagesCaches()) await Promise.all(paths.map((path) => cache.delete(path)))
}

function enhanceSaveControls (root) {
  const status = root.querySelector('[data-offline-save-status]')
  const one = root.querySelector('[data-offline-save-page]')
  const all = root.querySelector('[data-offline-save-all]')
  const label = (button, values) => Object.entries(values)
    .reduce((text, [key, value]) => text.replace(`{${key}}`, value), button.dataset.label)
  let busy = false
  async function save (urls) {
    if (busy) return
    busy = true
    status.textContent = root.dataset.textSaving
    try {
      const result = await askWorker({ type: 'save', urls })
      status.textContent = result.failed.length ? root.dataset.textFailed : root.dataset.textSaved
      // One anonymous count for the soft-launch figures (web/public/measurement.py): no body, nothing stored.
      if (result.saved) fetch(`/${root.dataset.lang}/offline/saved-count`, { method: 'POST' }).catch(() => {})
    } catch (error) {
      status.textContent = root.dataset.textFailed
    } finally {
      busy = false
    }
  }
  catalogue(root.dataset.lang).then((pages) => {
    const entry = one && pages.pages.find((page) => page.url === one.dataset.offlineSavePage)
    if (entry) {
      one.textContent = label(one, { size: kilobytes(entry.size) })
      one.addEventListener('click', () => save([entry.url]))
    } else if (one) {
      one.hidden = true
    }
    all.textContent = label(all, { count: pages.pages.length, size: kilobytes(pages.total) })
    all.addEventListener('click', () => save(pages.pages.map((page) => page.url)))
    root.hidden = false
  }).catch(() => {}) // no catalogue (offline, never saved): the controls stay hidden
}

async function titles (paths) {
  const found = {}
  const languages = new Set(paths.map((path) => path.split('/')[1]))
  await Promise.all([...languages].map((lang) => catalogue(lang).then((pages) => {
    for (const page of pages.pages) found[page.url] = page.title
  }).catch(() => {})))
  return found
}

function savedItem (root, path, title, removable) {
  const item = document.createElement('li')
  const link = document.createElement('a')
  link.className = 'govuk-link'
  link.href = path
  link.textContent = title || path
  const lang = path.split('/')[1]
  if (lang && lang !== document.documentElement.lang) {
    link.lang = lang
    link.dir = 'auto'
  }
  item.append(link)
  if (removable) {
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2'
    const hidden = document.createElement('span')
    hidden.className = 'govuk-visually-hidden'
    hidden.textContent = ` ${link.textContent}`
    button.append(root.dataset.textRemove, hidden)
    button.addEventListener('click', async () => {
      await forget([path])
      const next = item.nextElementSibling || item.previousElementSibling
      item.remove()
      root.querySelector('[data-offline-saved-status]').textContent = root.dataset.textRemoved
      showState(root)
      const target = next ? next.querySelector('button') : document.getElementById('main-content')
      if (target) target.focus()
    })
    item.append(' ', button)
  }
  return item
}

function showState (root) {
  const count = root.querySelector('[data-offline-saved-list]').childElementCount
  const empty = root.querySelector('[data-offline-saved-empty]')
  const removeAll = root.querySelector('[data-offline-remove-all]')
  if (empty) empty.hidden = count > 0
  if (removeAll) removeAll.hidden = count === 0
  return count
}

async function enhanceSavedList (root) {
  const removable = 'textRemove' in root.dataset
  const list = root.querySelector('[data-offline-saved-list]')
  const paths = await savedPaths()
  const found = await titles(paths)
  list.replaceChildren(...paths.map((path) => savedItem(root, path, found[path], removable)))
  const removeAll = root.querySelector('[data-offline-remove-all]')
  if (removeAll) {
    removeAll.addEventListener('click', async () => {
      await forget(await savedPaths())
      list.replaceChildren()
      root.querySelector('[data-offline-saved-status]').textContent = root.dataset.textRemoved
      showState(root)
      document.getElementById('main-content').focus()
    })
  }
  const count = showState(root)
  root.hidden = !removable && count === 0
}

function start () {
  register().catch(() => {})
  document.querySelectorAll('[data-offline-save]').forEach(enhanceSaveControls)
  document.querySelectorAll('[data-offline-saved]').forEach((root) => { enhanceSavedList(root).catch(() => {}) })
}

if (supported) {
  document.addEventListener(EXIT_EVENT, forgetEverything) // static/js/modules/exit.mjs
  document.querySelectorAll('[data-offline-needs-js]').forEach((element) => { element.hidden = true })
  // After the page has loaded: on a slow connection the page itself comes first.
  if (document.readyState === 'complete') start()
  else window.addEventListener('load', start)
}
