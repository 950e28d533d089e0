// htmx for the pages that ask for it (search): results update as the reader types.
// Loaded only where a template adds it; every page works without it. The CSP forbids eval, so no
// hx-on, no event filters ([...]) and no js: values in any hx-* attribute.
import htmx from 'htmx.org'

export default htmx
