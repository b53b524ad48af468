// Package layout renders the page shell: head, top bar, main, toasts, and
// the pages that say something went wrong.
package layout

import (
	"context"
	"strings"
	"sync"
)

// Viewer is the signed-in user as the shell shows them; nil when anonymous.
type Viewer struct {
	Username string
	IsStaff  bool
}

// Props is what every page shares.
type Props struct {
	Title  string
	CSRF   string
	Viewer *Viewer
	Toast  string // a success message shown once, e.g. "Signed out"
	Wide   bool   // admin pages use the wide container
}

// htmxConfig turns off what the CSP forbids (inline indicator styles, eval)
// and keeps sensitive pages out of localStorage: history misses reload.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":0,"refreshOnHistoryMiss":true,"selfRequestsOnly":true,"defaultSettleDelay":0,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"(403|404|422|429|503)","swap":true,"error":false},{"code":"[45]..","swap":true,"error":true}]}`

// staticHead is assetsHead rendered once, as templ renders it: every page
// carries it, and rendering it afresh (the escaping of htmxConfig, the
// asset URLs) was a measurable share of a page's CPU (issue 10).
var staticHead = sync.OnceValue(func() string {
	var b strings.Builder
	if err := assetsHead().Render(context.Background(), &b); err != nil {
		panic("layout: render the static head: " + err.Error())
	}
	return b.String()
})
