// Offline reading, an enhancement: registers the service worker (service_worker/sw.js), offers to save
// advice showing its size first, says what is already saved and removes it, lists saved pages, offers a
// refresh when a new version is ready, and forgets everything on "Exit this page". Pages work fully
// without this file.
import { EXIT_EVENT } from './modules/exit.mjs'

const PREFIX = 'act-early-'
const PAGES_PREFIX = `${PREFIX}pages-`
const supported = 'serviceWorker' in navigator && 'caches' in window && window.isSecureContext
const CHANGED = 'act-early:offline-changed' // saved pages were added or removed by a control on this page
let exited = false

// Exit this page: fire and forget, so leaving is not delayed. The worker finishes the job even after
// this page has gone, and the /exit response's Clear-Site-Data header removes whatever is left.
function forgetEverything () {
  exited = true
  if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: 'forget' })
  caches.keys().then((names) => names.filter((name) => name.startsWith(PREFIX)).forEach((name) => caches.delete(name)))
  navigator.serviceWorker.getRegistrations().then((registrations) => registrations.forEach((r) => r.unregister()))
}

// "New advice is available": shown once, in a region fixed to the foot of the window (static/scss/_shell.scss),
// so nothing on the page moves when it appears.
function offer (refresh) {
  const region = document.querySelector('[data-offline-update]')
  const template = document.querySelector('[data-offline-update-template]')
  if (!region || !template || region.childElementCount) return
  region.append(template.content.cloneNode(true))
  region.querySelector('[data-offline-refresh]').addEventListener('click', refresh)
}

// The refresh: a new version of the site that is waiting is activated first, then the page reloads.
async function refresh () {
  const registration = await navigator.serviceWorker.getRegistration()
  const waiting = registration && registration.waiting
  if (!waiting) return window.location.reload()
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload())
  waiting.postMessage({ type: 'skip-waiting' })
}

// This page came from the device (saved by the reader) and the worker has since fetched a copy with other
// advice: a reload shows it.
function offerIfSavedCopyChanged () {
  const controller = navigator.serviceWorker.controller
  if (!controller) return
  const channel = new MessageChannel()
  channel.port1.onmessage = (event) => {
    if (event.data && event.data.changed && !exited) offer(refresh)
  }
  controller.postMessage({ type: 'changed', path: window.location.pathname }, [channel.port2])
}

async function register () {
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'all' })
  const offerNewVersion = () => { if (navigator.serviceWorker.controller) offer(refresh) }
  if (registration.waiting) offerNewVersion()
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing
    if (worker) worker.addEventListener('statechange', () => { if (worker.state === 'installed') offerNewVersion() })
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

// After Exit nothing is written (ADR 11), and `caches.open` creates a cache that is not there: only the
// names just listed are opened, and if Exit came in between, they go again.
async function pagesCaches () {
  const names = exited ? [] : (await caches.keys()).filter((name) => name.startsWith(PAGES_PREFIX))
  const opened = await Promise.all(names.map((name) => caches.open(name)))
  if (!exited) return opened
  names.forEach((name) => caches.delete(name))
  return []
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

// A message the same as the one already there is still announced: the region is emptied first.
function announce (region, message) {
  if (region.textContent !== message) region.textContent = message
  else {
    region.textContent = ''
    setTimeout(() => { region.textContent = message }, 100)
  }
}

function changed (from) {
  document.dispatchEvent(new CustomEvent(CHANGED, { detail: { from } }))
}

// The save controls say what is saved on this device, read from the caches at each load. Each button is
// one element whether it saves or removes, so focus stays on it; the status line announces the change.
function enhanceSaveControls (root) {
  const text = root.dataset
  const status = root.querySelector('[data-offline-save-status]')
  const state = root.querySelector('[data-offline-save-state]')
  const one = root.querySelector('[data-offline-save-page]')
  const all = root.querySelector('[data-offline-save-all]')
  const label = (button, values) => Object.entries(values)
    .reduce((result, [key, value]) => result.replace(`{${key}}`, value), button.dataset.label)
  let pages = null
  let entry = null
  let busy = false

  function mark (button, saved, name) {
    button.textContent = name
    button.dataset.saved = saved
    if (saved) button.setAttribute('aria-describedby', state.id)
    else button.removeAttribute('aria-describedby')
  }

  async function show () {
    const saved = new Set(await savedPaths().catch(() => []))
    const urls = pages.pages.map((page) => page.url)
    const allSaved = urls.length > 0 && urls.every((url) => saved.has(url))
    const thisSaved = Boolean(entry) && saved.has(entry.url)
    if (entry) mark(one, thisSaved, thisSaved ? text.textRemovePage : label(one, { size: kilobytes(entry.size) }))
    mark(all, allSaved, allSaved ? text.textRemoveAll : label(all, { count: urls.length, size: kilobytes(pages.total) }))
    state.textContent = allSaved ? text.textAllSaved : thisSaved ? text.textPageSaved : ''
    state.hidden = !state.textContent
  }

  async function save (urls) {
    announce(status, text.textSaving)
    try {
      const result = await askWorker({ type: 'save', urls })
      announce(status, result.failed.length ? text.textFailed : text.textSaved)
      // One anonymous count for the soft-launch figures (web/public/measurement.py): no body, nothing stored.
      if (result.saved && !exited) fetch(`/${text.lang}/offline/saved-count`, { method: 'POST' }).catch(() => {})
    } catch (error) {
      announce(status, text.textFailed)
    }
  }

  async function press (button, urls) {
    if (busy || exited) return
    busy = true
    try {
      if (button.dataset.saved !== 'true') await save(urls || pages.pages.map((page) => page.url))
      else {
        await forget(urls || await savedPaths())
        announce(status, text.textRemoved)
      }
    } catch (error) {
      // Whatever happened, the state shown next is what the caches hold.
    }
    try {
      await show()
      changed(root)
    } finally {
      busy = false
    }
  }

  catalogue(text.lang).then(async (catalogue) => {
    pages = catalogue
    entry = one && pages.pages.find((page) => page.url === one.dataset.offlineSavePage)
    if (entry) one.addEventListener('click', () => press(one, [entry.url]))
    else if (one) one.hidden = true
    // "Save all" saves this language's advice; once it is all saved, the same button removes every saved page.
    all.addEventListener('click', () => press(all, null))
    document.addEventListener(CHANGED, (event) => { if (event.detail.from !== root && !busy) show().catch(() => {}) })
    await show()
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
      announce(root.querySelector('[data-offline-saved-status]'), root.dataset.textRemoved)
      showState(root)
      changed(root)
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
  async function fill () {
    const paths = await savedPaths()
    const found = await titles(paths)
    list.replaceChildren(...paths.map((path) => savedItem(root, path, found[path], removable)))
    const count = showState(root)
    root.hidden = !removable && count === 0
  }
  const removeAll = root.querySelector('[data-offline-remove-all]')
  if (removeAll) {
    removeAll.addEventListener('click', async () => {
      await forget(await savedPaths())
      list.replaceChildren()
      announce(root.querySelector('[data-offline-saved-status]'), root.dataset.textRemoved)
      showState(root)
      changed(root)
      document.getElementById('main-content').focus()
    })
  }
  // Saved or removed by the save controls on the same page: the list follows.
  document.addEventListener(CHANGED, (event) => { if (event.detail.from !== root) fill().catch(() => {}) })
  await fill()
}

function start () {
  register().catch(() => {})
  offerIfSavedCopyChanged()
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
