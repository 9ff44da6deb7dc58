package setup

import (
	"embed"
	"html/template"
	"io"
	"strings"
)

// The page's templates, script and stylesheet are embedded: the binary
// serves them itself, with no CDN and no build step.
//
//go:embed web/*.html web/setup.js web/setup.css
var web embed.FS

// AssetsPath serves the script and stylesheet (public, cacheable).
const AssetsPath = PathPrefix + "/assets"

// Script and Style are the page's script and stylesheet.
func Script() []byte { b, _ := web.ReadFile("web/setup.js"); return b }

// Style is the page's stylesheet.
func Style() []byte { b, _ := web.ReadFile("web/setup.css"); return b }

// Page is the data of every setup page.
type Page struct {
	Title   string
	OrgName string
	// Base is this link's page path, /setup/<secret>.
	Base      string
	CSRF      string
	ExpiresAt string
	Notice    string
	Error     *PageError
	// Home
	Connections []ConnSummary
	Kinds       []KindChoice
	GuidesSAML  []Guide
	GuidesOIDC  []Guide
	// A connection
	Conn  *ConnView
	Tests []TestSummary
	// A test result
	Result *Outcome
	// A refusal (the link is unknown, expired or revoked, or a request was
	// refused)
	Refused *Refusal
}

// PageError is a refused change, shown on the page it was made from.
type PageError struct{ Type, Message string }

// ConnSummary is one connection on the home page.
type ConnSummary struct{ ID, KindName, Name, Status string }

// KindChoice is a protocol the link lets the admin choose.
type KindChoice struct{ Kind, Name, Hint string }

// TestSummary is one past test login.
type TestSummary struct {
	AttemptID, When, Title string
	Success                bool
}

// Refusal explains a refused request in plain words; Type and RequestID
// are shown as the login error page shows them.
type Refusal struct {
	Status                            int
	Heading, Message, Type, RequestID string
}

// Pages renders the setup pages.
type Pages struct{ t *template.Template }

// NewPages parses the embedded templates.
func NewPages() *Pages {
	funcs := template.FuncMap{"lower": strings.ToLower}
	return &Pages{t: template.Must(template.New("setup").Funcs(funcs).ParseFS(web, "web/*.html"))}
}

// Render writes the page named name ("home", "connection", "result",
// "refused").
func (p *Pages) Render(w io.Writer, name string, d *Page) error {
	return p.t.ExecuteTemplate(w, name, d)
}
