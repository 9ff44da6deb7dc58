package interop

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Browser is a plain HTTP client with a cookie jar that behaves like a user
// agent in an SSO login: it follows redirects, and submits the HTML forms
// IdPs answer with (SAML auto-post forms, login forms) by reading the form's
// action and inputs. It stops, without fetching, at the first URL for which
// Stop returns true (the application's redirect URL).
type Browser struct {
	t      testing.TB
	Client *http.Client
	// Stop says where the login has left the servers under test.
	Stop func(*url.URL) bool
	// Fill gives values for visible form fields (login forms), by name.
	Fill map[string]string
	// History lists every request made, "METHOD URL -> status".
	History []string
	// Forms keeps every form submitted, so a test can replay one.
	Forms []*Form
}

// Page is where a navigation ended.
type Page struct {
	URL    *url.URL // the stop URL, or the last page fetched
	Status int      // 0 when stopped before fetching
	Body   string
	// Stopped is true when the navigation reached a Stop URL.
	Stopped bool
}

// Form is an HTML form as a browser would submit it.
type Form struct {
	Action *url.URL
	Method string
	Fields url.Values
	// Visible names the fields a user types into (not hidden inputs).
	Visible []string
}

// maxHops bounds one navigation: an SSO login is a handful of hops; more
// means a redirect loop.
const maxHops = 20

// NewBrowser returns a browser that stops at the application's host
// app.test, where apptest's project redirects after a login.
func NewBrowser(t testing.TB) *Browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &Browser{t: t, Stop: func(u *url.URL) bool { return u.Hostname() == "app.test" }}
	b.Client = &http.Client{
		Jar: jar,
		// Generous: CI runs these under the race detector on 2 cores.
		Timeout: 60 * time.Second,
		// Redirects are followed by Navigate itself so that every hop is
		// recorded and the Stop URL is never fetched.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return b
}

// Get navigates to rawURL and keeps going through redirects and auto-post
// forms until a Stop URL or a page that is neither.
func (b *Browser) Get(rawURL string) *Page {
	b.t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		b.t.Fatalf("browser: bad URL %q: %v", rawURL, err)
	}
	return b.navigate(&Form{Action: u, Method: http.MethodGet})
}

// Submit posts a form (for example one kept in Forms, to replay it) and
// keeps navigating.
func (b *Browser) Submit(f *Form) *Page {
	b.t.Helper()
	return b.navigate(f)
}

func (b *Browser) navigate(next *Form) *Page {
	b.t.Helper()
	for hop := 0; hop < maxHops; hop++ {
		if b.Stop != nil && b.Stop(next.Action) {
			return &Page{URL: next.Action, Stopped: true}
		}
		status, header, body := b.do(next)
		switch {
		case status >= 300 && status < 400 && header.Get("Location") != "":
			loc, err := next.Action.Parse(header.Get("Location"))
			if err != nil {
				b.t.Fatalf("browser: bad Location %q: %v", header.Get("Location"), err)
			}
			next = &Form{Action: loc, Method: http.MethodGet}
			continue
		case status == http.StatusOK && strings.Contains(header.Get("Content-Type"), "html"):
			forms := ParseForms(next.Action, body)
			if len(forms) == 1 && b.canSubmit(forms[0]) {
				next = forms[0]
				b.Forms = append(b.Forms, next)
				continue
			}
		}
		return &Page{URL: next.Action, Status: status, Body: body}
	}
	b.t.Fatalf("browser: more than %d hops: %s", maxHops, strings.Join(b.History, "\n"))
	return nil
}

// canSubmit fills the form's visible fields from Fill and reports whether
// every field has a value a user would give (hidden inputs count as given).
func (b *Browser) canSubmit(f *Form) bool {
	for _, name := range f.Visible {
		if v, ok := b.Fill[name]; ok {
			f.Fields.Set(name, v)
		} else if f.Fields.Get(name) == "" {
			return false
		}
	}
	return true
}

func (b *Browser) do(f *Form) (int, http.Header, string) {
	b.t.Helper()
	var req *http.Request
	var err error
	if f.Method == http.MethodPost {
		req, err = http.NewRequest(http.MethodPost, f.Action.String(), strings.NewReader(f.Fields.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		u := *f.Action
		if len(f.Fields) > 0 {
			u.RawQuery = f.Fields.Encode()
		}
		req, err = http.NewRequest(http.MethodGet, u.String(), nil)
	}
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*")
	resp, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatalf("browser: %s %s: %v\nhistory:\n%s", f.Method, redactQuery(f.Action), err, strings.Join(b.History, "\n"))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		b.t.Fatalf("browser: reading %s: %v", redactQuery(f.Action), err)
	}
	b.History = append(b.History, fmt.Sprintf("%s %s -> %d", f.Method, redactQuery(f.Action), resp.StatusCode))
	return resp.StatusCode, resp.Header, string(raw)
}

// redactQuery keeps test failure output short: SAML messages in query
// strings are long and say nothing a reader needs.
func redactQuery(u *url.URL) string {
	c := *u
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			if v := q.Get(k); len(v) > 60 {
				q.Set(k, v[:20]+"...")
			}
		}
		c.RawQuery = q.Encode()
	}
	return c.String()
}

// Cookies returns the jar's cookies for u.
func (b *Browser) Cookies(u string) []*http.Cookie {
	pu, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.Client.Jar.Cookies(pu)
}

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form\s*>`)
	inputRE = regexp.MustCompile(`(?is)<(input|textarea)\b([^>]*)>`)
	attrRE  = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
)

// ParseForms reads the forms of an HTML page: method, action resolved
// against the page URL, and the named inputs with their values (submit
// buttons excluded). It is enough for IdP pages, which are generated, not
// hand-written; it is not a general HTML parser.
func ParseForms(page *url.URL, body string) []*Form {
	var out []*Form
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		attrs := parseAttrs(m[1])
		method := strings.ToUpper(attrs["method"])
		if method != http.MethodPost {
			method = http.MethodGet
		}
		action, err := page.Parse(attrs["action"])
		if err != nil {
			continue
		}
		f := &Form{Action: action, Method: method, Fields: url.Values{}}
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			ia := parseAttrs(in[2])
			name := ia["name"]
			typ := strings.ToLower(ia["type"])
			switch typ {
			case "submit", "button", "image", "reset":
				continue
			}
			if name == "" {
				continue
			}
			f.Fields.Add(name, ia["value"])
			if typ != "hidden" {
				f.Visible = append(f.Visible, name)
			}
		}
		out = append(out, f)
	}
	return out
}

func parseAttrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		v := m[2] + m[3] + m[4]
		out[strings.ToLower(m[1])] = html.UnescapeString(v)
	}
	return out
}
