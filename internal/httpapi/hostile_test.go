package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/httpapi"
)

// The hostile-input sweep sends input that must never reach a database to
// every route of the route table: NUL and invalid UTF-8 in every path
// parameter and in query parameters, JSON bodies with NUL, invalid UTF-8,
// duplicate keys, deep nesting and syntax errors, bodies with the wrong
// content type, and SAML form posts carrying the same bytes; each with the
// project secret and without credentials; and hostile credentials (NUL or
// invalid UTF-8 in the Basic-auth project ID, in the member-session header,
// and in the kid of a session JWT). Every answer must be a 4xx with an
// error_type; none may be a 5xx; and the database must be unchanged.
//
// The routes come from the route table and the cases from each route's
// declaration (path parameters, body kind), so a new route is swept
// without editing this test.

// sweepCase is one hostile request, relative to a route.
type sweepCase struct {
	name string
	// path overrides path parameters (escaped URL text) for this case.
	path map[string]string
	// query is the raw query string.
	query string
	// body and contentType are sent when body is not nil.
	body        []byte
	contentType string
	// header adds request headers.
	header map[string]string
	// basic replaces the Basic-auth user of the "project secret" variant.
	basic string
	// refused reports whether the route must answer 4xx (else only "not 5xx").
	refused bool
}

// hostileTexts are the URL-escaped values that no database may see.
var hostileTexts = []struct{ name, escaped string }{
	{"NUL", "%00"},
	{"embedded NUL", "saml-connection-test-00000000-0000-4000-8000-000000000000%00"},
	{"invalid UTF-8", "%FF"},
	{"truncated UTF-8", "a%C3"},
}

// sweepQueryNames are query parameters the routes read, and one they do not.
func sweepQueryNames() []string {
	return []string{"connection_id", "organization_id", "member_id", "public_token", "state", "code", "email_address",
		"login_redirect_url", "limit", "unread_parameter"}
}

func sweepCases(rt httpapi.RouteForTest) []sweepCase {
	var cases []sweepCase
	for _, p := range pathParamNames(rt.Pattern) {
		for _, h := range hostileTexts {
			cases = append(cases, sweepCase{name: "path " + p + " " + h.name, path: map[string]string{p: h.escaped}, refused: true})
		}
	}
	for _, q := range sweepQueryNames() {
		for _, h := range hostileTexts[:3] {
			cases = append(cases, sweepCase{name: "query " + q + " " + h.name, query: q + "=" + h.escaped, refused: true})
		}
	}
	cases = append(cases,
		sweepCase{name: "query key NUL", query: "a%00b=1", refused: true},
		sweepCase{name: "query key invalid UTF-8", query: "%FF=1", refused: true},
	)
	switch rt.Body {
	case "json":
		cases = append(cases, jsonSweepCases()...)
		// Every string field of the route's declared request type at once,
		// each 256 KiB (under the 1 MiB body cap): a bound on each field
		// must refuse it; none may be stored.
		if len(rt.StringFields) > 0 {
			huge := map[string]string{}
			for _, f := range rt.StringFields {
				huge[f] = strings.Repeat("a", 256<<10)
			}
			body, _ := json.Marshal(huge)
			if len(body) < 1<<20 {
				cases = append(cases, sweepCase{name: "body huge strings", body: body, contentType: "application/json", refused: true})
			}
			for _, f := range rt.StringFields {
				one, _ := json.Marshal(map[string]string{f: strings.Repeat("b", 256<<10)})
				cases = append(cases, sweepCase{name: "body huge " + f, body: one, contentType: "application/json", refused: true})
			}
		}
	case "form":
		cases = append(cases, formSweepCases()...)
	}
	return cases
}

func jsonSweepCases() []sweepCase {
	deep := `{"trusted_metadata":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40) + `}`
	veryDeep := `{"trusted_metadata":` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `}`
	bodies := []struct{ name, body string }{
		{"NUL in a value", `{"display_name":"a\u0000b","organization_name":"\u0000","email_address":"a\u0000@example.com"}`},
		{"NUL in a nested value", `{"trusted_metadata":{"k":"\u0000"},"attribute_mapping":{"email":"\u0000"}}`},
		{"NUL in a key", `{"a\u0000":1}`},
		{"invalid UTF-8 in a value", "{\"display_name\":\"\xff\",\"organization_name\":\"\xc3\"}"},
		{"invalid UTF-8 in a key", "{\"\xff\":1}"},
		{"duplicate key", `{"display_name":"a","display_name":"b"}`},
		{"duplicate nested key", `{"trusted_metadata":{"k":1,"k":2}}`},
		{"deep nesting", deep},
		{"nesting beyond the decoder's limit", veryDeep},
		{"syntax error", `{"display_name":`},
		{"not an object", `["display_name"]`},
		{"oversized", `{"display_name":"` + strings.Repeat("a", 1<<20) + `"}`},
	}
	var out []sweepCase
	for _, b := range bodies {
		out = append(out, sweepCase{name: "body " + b.name, body: []byte(b.body), contentType: "application/json", refused: true})
	}
	// Wrong types in fields a route may not read: refused where the field is
	// read, ignored elsewhere (search), never a 5xx.
	out = append(out, sweepCase{name: "body wrong types", contentType: "application/json", body: []byte(
		`{"display_name":5,"organization_name":[],"trusted_metadata":"x","email_address":{},"session_token":7,"sso_token":false,"org_policy":1,"roles":"x","expires_in_minutes":"x","connection_kind":7}`)})
	for _, ct := range []struct{ name, value, body string }{
		{"form", "application/x-www-form-urlencoded", "organization_name=x&organization_slug=y&display_name=z"},
		{"multipart", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"display_name\"\r\n\r\nx\r\n--b--\r\n"},
		{"text/plain", "text/plain", `{"display_name":"x"}`},
		{"no content type", "", `{"display_name":"x"}`},
		{"JSON in another charset", "application/json; charset=iso-8859-1", `{"display_name":"x"}`},
		{"unparsable content type", "application/json; ===", `{"display_name":"x"}`},
	} {
		out = append(out, sweepCase{name: "content type " + ct.name, body: []byte(ct.body), contentType: ct.value, refused: true})
	}
	return out
}

func formSweepCases() []sweepCase {
	xml := func(s string) string {
		return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(
			`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0">` +
				`<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` + s + `</saml:Issuer></samlp:Response>`)))
	}
	forms := []struct{ name, contentType, body string }{
		{"SAMLResponse NUL", "application/x-www-form-urlencoded", "SAMLResponse=%00"},
		{"SAMLResponse invalid UTF-8", "application/x-www-form-urlencoded", "SAMLResponse=%FF%FE"},
		{"SAMLResponse XML with NUL", "application/x-www-form-urlencoded", "SAMLResponse=" + xml("a\x00b")},
		{"SAMLResponse XML with invalid UTF-8", "application/x-www-form-urlencoded", "SAMLResponse=" + xml("a\xffb")},
		{"RelayState NUL", "application/x-www-form-urlencoded", "SAMLResponse=" + xml("x") + "&RelayState=%00"},
		{"form key NUL", "application/x-www-form-urlencoded", "%00=1"},
		{"JSON body", "application/json", `{"SAMLResponse":"\u0000"}`},
		{"multipart", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"SAMLResponse\"\r\n\r\n\x00\r\n--b--\r\n"},
		{"no content type", "", "SAMLResponse=%00"},
	}
	var out []sweepCase
	for _, f := range forms {
		out = append(out, sweepCase{name: "form " + f.name, body: []byte(f.body), contentType: f.contentType, refused: true})
	}
	return out
}

// credentialCases are benign requests with hostile credentials.
func credentialCases(rt httpapi.RouteForTest, realJWT string) []sweepCase {
	_, rest, _ := strings.Cut(realJWT, ".")
	nulKID := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT","kid":"jwk-test-\u0000"}`)) + "." + rest
	utf8KID := base64.RawURLEncoding.EncodeToString([]byte("{\"alg\":\"RS256\",\"kid\":\"\xff\"}")) + "." + rest
	auth := rt.ProjectAuth
	return []sweepCase{
		{name: "Basic project ID with NUL", basic: "project-test-00000000-0000-4000-8000-000000000000\x00", refused: auth},
		{name: "Basic project ID invalid UTF-8", basic: "project-test-\xff", refused: auth},
		{name: "Basic project ID not an ID", basic: "organization-test-00000000-0000-4000-8000-000000000000", refused: auth},
		{name: "session token invalid UTF-8", header: map[string]string{"X-Stytch-Member-Session": "\xff\xfe"}},
		{name: "session JWT kid with NUL", header: map[string]string{"X-Stytch-Member-SessionJWT": nulKID}},
		{name: "session JWT kid invalid UTF-8", header: map[string]string{"X-Stytch-Member-SessionJWT": utf8KID}},
	}
}

// pathParamNames lists a pattern's wildcards.
func pathParamNames(pattern string) []string {
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		if strings.HasPrefix(seg, "{") {
			out = append(out, strings.TrimSuffix(strings.Trim(seg, "{}"), "..."))
		}
	}
	return out
}

// sweepFixture holds plausible values for every path parameter, so that a
// hostile value in one parameter or in the body meets real objects in the
// others and gets as far into the handler as it can.
type sweepFixture struct {
	e      *apptest.Env
	values map[string]string // path parameter -> escaped plausible value
	saml   string
	oidc   string
	ext    string
	jwt    string
}

func newSweepFixture(t *testing.T, backend string) *sweepFixture {
	e := apptest.New(t, backend)
	e.CreateOrg("Acme", "acme")
	e.CreateOrg("Other", "other")
	f := &sweepFixture{e: e}
	f.saml = activeSAML(e, "acme", false)
	f.oidc = activeOIDC(e, "acme")
	src := activeOIDC(e, "other")
	f.ext = e.MustOK(e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
		"external_organization_id": "other", "external_connection_id": src, "display_name": "Other SSO",
	})).Obj("connection")["connection_id"].(string)
	member := createMember(e, "acme", "ada@acme.test")
	f.jwt = mintSession(e, e.Creds, "acme", member).JWT
	// The key set exists before the sweep, so reading it writes nothing.
	e.MustOK(e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/sessions/jwks/" + e.Creds.ProjectID, NoAuth: true}))
	// Likewise the built-in test IdP's key, made on its first use.
	if r := e.Do(apptest.Request{Method: "GET", Path: "/v1/test_idp/" + e.Creds.ProjectID + "/oidc/jwks", NoAuth: true}); r.Status != http.StatusOK {
		t.Fatalf("test IdP key set: %d %s", r.Status, r.Raw)
	}
	f.values = map[string]string{
		"organization_id": "acme",
		"member_id":       member,
		"project_id":      e.Creds.ProjectID,
		"certificate_id":  "saml-verification-key-test-00000000-0000-4000-8000-000000000000",
		"private_key_id":  "saml-encryption-key-test-00000000-0000-4000-8000-000000000000",
	}
	return f
}

// connectionFor picks the connection kind a pattern names.
func (f *sweepFixture) connectionFor(method, pattern string) string {
	switch {
	case strings.Contains(pattern, "/oidc/"), method == "GET" && strings.Contains(pattern, "/callback/"):
		return f.oidc
	case strings.Contains(pattern, "/external/"):
		return f.ext
	}
	return f.saml
}

var htmlErrorType = regexp.MustCompile(`Error: <code>([^<]*)</code>`)

func TestHostileInputSweep(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSweepFixture(t, backend)
		routes := httpapi.Routes(f.e.App.Server)
		before := dbSnapshot(t, f.e)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var sent, failures int
		for _, rt := range routes {
			method, pattern, _ := strings.Cut(rt.Pattern, " ")
			run := func(c sweepCase, creds string) {
				sent++
				status, errType, raw := f.send(t, client, method, pattern, c, creds)
				if errType != "" && rt.Errors != nil && !slices.Contains(rt.Errors[status], errType) {
					t.Errorf("%s [%s, %s]: %d %s is not among the route's declared errors (route_errors*.go)", rt.Pattern, c.name, creds, status, errType)
				}
				bad := status >= 500 || (c.refused && (status < 400 || errType == ""))
				if bad && failures < 40 {
					failures++
					if len(raw) > 300 {
						raw = raw[:300] + "..."
					}
					t.Errorf("%s [%s, %s]: %d %q %s", rt.Pattern, c.name, creds, status, errType, raw)
				}
			}
			for _, c := range sweepCases(rt) {
				run(c, "project secret")
				run(c, "no credentials")
			}
			for _, c := range credentialCases(rt, f.jwt) {
				run(c, "hostile credentials")
			}
		}
		after := dbSnapshot(t, f.e)
		for table, rows := range before {
			if after[table] != rows {
				t.Errorf("the sweep changed table %s", table)
			}
		}
		t.Logf("%d routes, %d requests", len(routes), sent)
	})
}

// send performs one case and returns the status and the error_type, read
// from the JSON envelope or from the HTML login-failure page.
func (f *sweepFixture) send(t *testing.T, client *http.Client, method, pattern string, c sweepCase, creds string) (int, string, string) {
	t.Helper()
	path := pattern
	for _, p := range pathParamNames(pattern) {
		v, ok := c.path[p]
		if !ok {
			v, ok = f.values[p]
			if p == "connection_id" {
				v, ok = f.connectionFor(method, pattern), true
			}
		}
		if !ok {
			v = "seam-sweep-unknown-parameter"
		}
		path = strings.Replace(path, "{"+p+"}", v, 1)
		path = strings.Replace(path, "{"+p+"...}", v, 1)
	}
	target := f.e.URL + path
	if c.query != "" {
		target += "?" + c.query
	}
	var body io.Reader
	if c.body != nil {
		body = strings.NewReader(string(c.body))
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	if c.body != nil && c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	switch creds {
	case "project secret":
		req.SetBasicAuth(f.e.Creds.ProjectID, f.e.Creds.Secret)
	case "hostile credentials":
		user := f.e.Creds.ProjectID
		if c.basic != "" {
			user = c.basic
		}
		req.SetBasicAuth(user, f.e.Creds.Secret)
	}
	for k, v := range c.header {
		req.Header[k] = []string{v}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	errType := ""
	switch ct := resp.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/json"):
		if v, ok := jsonField(t, raw, "error_type").(string); ok {
			errType = v
		} else if v, ok := jsonField(t, raw, "error").(string); ok {
			errType = v // an OAuth error (RFC 6749 5.2) from the test IdP's token endpoint
		}
	case strings.HasPrefix(ct, "application/scim+json"):
		// An RFC 7644 error response (the SCIM service provider's routes).
		if v, ok := jsonField(t, raw, "status").(string); ok {
			errType = "scim " + v
		}
	case strings.HasPrefix(ct, "text/html"):
		if m := htmlErrorType.FindSubmatch(raw); m != nil {
			errType = string(m[1])
		}
	}
	return resp.StatusCode, errType, string(raw)
}

// dbSnapshot renders every table, the login-attempt log included: hostile
// posts to the ACS are refused before anything is recorded.
func dbSnapshot(t *testing.T, e *apptest.Env) map[string]string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if e.Backend == "postgres" {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := e.App.Store.DB().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string]string{}
	for _, table := range tables {
		cells := strings.Split(tableText(t, e, table), "|")
		slices.Sort(cells)
		out[table] = strings.Join(cells, "|")
	}
	return out
}
