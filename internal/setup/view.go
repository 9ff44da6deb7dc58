package setup

import (
	"crypto/rsa"
	"crypto/x509"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/saml"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// ConnView is one connection as the setup page shows it. It is built from
// the sso package's API views, so the page shows what the API returns and
// nothing the API withholds (no private key, no client secret).
type ConnView struct {
	ID, Kind, KindName, Name, Status string
	Active                           bool
	Missing                          []Missing
	Guide                            Guide
	Guides                           []Guide
	Copy                             []CopyValue
	// Detected names the IdP recognised from the connection's entity ID
	// and SSO URL, when one is.
	Detected Detected
	// SAML
	IDPEntityID, IDPSSOURL string
	Certs                  []Cert
	Mapping                Mapping
	// OIDC
	Issuer, ClientID string
	HasSecret        bool
	Endpoints        []Field
	Warnings         []string
	Expected         Expected
	// IdPOrigin is the origin a test login is sent to (the page's
	// Content-Security-Policy allows its form to go there).
	IdPOrigin string
	// Refresh is the scheduled re-reading of the IdP's metadata URL (SAML
	// connections configured from one).
	Refresh *Refresh
}

// Refresh is a SAML connection's metadata refresh as the page shows it.
type Refresh struct {
	URL, Next                    string
	LastAt, LastOutcome, LastMsg string
}

// Missing is one setting a pending connection still needs, named by the
// API's field name (from sso's activation rule) and in plain words.
type Missing struct{ Field, Plain, Step string }

// CopyValue is a value the IT admin copies into the IdP.
type CopyValue struct {
	ID, Label, Value string
	Multiline        bool
}

// Cert is a verification certificate with its expiry.
type Cert struct {
	ID, Issuer, Fingerprint, Expires string
	DaysLeft                         int
	Left                             string // "in 3 days", "in 1 day", "within a day"
	Warn, Expired                    bool
}

func daysLeft(n int) string {
	switch n {
	case 0:
		return "within a day"
	case 1:
		return "in 1 day"
	}
	return "in " + strconv.Itoa(n) + " days"
}

// Mapping is the attribute-mapping form: the saved mapping, or the
// guide's defaults when nothing is saved yet.
type Mapping struct {
	Email, FirstName, LastName, FullName, Groups string
	Defaulted                                    bool
}

// Field is a label and a value.
type Field struct{ Label, Value string }

// plainMissing names the settings of sso's activation rules in words.
func plainMissing(field string) (string, string) {
	switch field {
	case "idp_sso_url":
		return "the IdP's sign-in URL (SSO URL)", StepIdPValues
	case "idp_entity_id":
		return "the IdP's entity ID (issuer)", StepIdPValues
	case "attribute_mapping":
		return "which attributes carry the email and the name", StepAttributes
	case "x509_certificate":
		return "the IdP's signing certificate", StepIdPValues
	case "issuer":
		return "the provider's issuer URL", StepIdPValues
	case "client_id":
		return "the client ID", StepIdPValues
	case "client_secret":
		return "the client secret", StepIdPValues
	case "authorization_url", "token_url", "userinfo_url", "jwks_url":
		return "the provider's " + strings.TrimSuffix(field, "_url") + " endpoint (read from the issuer's discovery document)", StepIdPValues
	}
	return field, ""
}

func missingOf(fields []string) []Missing {
	out := make([]Missing, 0, len(fields))
	for _, f := range fields {
		plain, step := plainMissing(f)
		out = append(out, Missing{Field: f, Plain: plain, Step: step})
	}
	return out
}

func guidesOf(kind string) []Guide {
	var out []Guide
	for _, g := range Guides() {
		if g.Kind == kind {
			out = append(out, g)
		}
	}
	return out
}

func pickGuide(kind, key, identityProvider string, detected Detected) Guide {
	if g, ok := GuideFor(key, kind); ok {
		return g
	}
	if kind == store.KindSAML && detected.Name != "" {
		if g, ok := GuideFor(detected.Guide, kind); ok {
			return g
		}
	}
	return DefaultGuide(kind, identityProvider)
}

// SAMLView builds the page's view of a SAML connection. metadataURL is
// the public SP metadata URL; lc, when not nil, its metadata refresh
// schedule and outcomes.
func SAMLView(v *sso.SAMLConnection, lc *sso.CertificateLifecycle, guideKey, metadataURL string, now time.Time) *ConnView {
	det := Detected{}
	if v.IDPEntityID != "" || v.IDPSSOURL != "" {
		det = DetectIdP(v.IDPEntityID, v.IDPSSOURL)
	}
	g := pickGuide(store.KindSAML, guideKey, v.IdentityProvider, det)
	c := &ConnView{ID: v.ConnectionID, Kind: store.KindSAML, KindName: "SAML", Name: v.DisplayName, Status: v.Status,
		Active: v.Status == "active", Missing: missingOf(v.MissingSettings), Guide: g, Guides: guidesOf(store.KindSAML), Detected: det,
		IDPEntityID: v.IDPEntityID, IDPSSOURL: v.IDPSSOURL, IdPOrigin: origin(v.IDPSSOURL),
		Expected: Expected{IDPEntityID: v.IDPEntityID, Audience: v.AudienceURI, ACSURL: v.ACSURL, EmailAttribute: v.AttributeMapping["email"]}}
	// sso's list of weakening settings first (the API shows the same
	// list); the page adds advice from the certificates and URLs it shows.
	c.Warnings = append(c.Warnings, v.SecurityWarnings...)
	c.Copy = []CopyValue{
		{ID: "acs-url", Label: g.Labels.ACS, Value: v.ACSURL},
		{ID: "entity-id", Label: g.Labels.EntityID, Value: v.AudienceURI},
		{ID: "metadata-url", Label: "SP metadata URL", Value: metadataURL},
	}
	if len(v.SigningCertificates) > 0 {
		c.Copy = append(c.Copy, CopyValue{ID: "signing-cert", Label: g.Labels.Certificate, Value: v.SigningCertificates[0].Certificate, Multiline: true})
	}
	for _, vc := range v.VerificationCertificates {
		cert := Cert{ID: vc.CertificateID, Issuer: vc.Issuer}
		if vc.ExpiresAt != nil {
			left := vc.ExpiresAt.Sub(now)
			cert.Expires = vc.ExpiresAt.UTC().Format("2 Jan 2006 15:04 UTC")
			cert.DaysLeft = int(left.Hours() / 24)
			cert.Left = daysLeft(cert.DaysLeft)
			cert.Expired = left <= 0
			cert.Warn = !cert.Expired && left < sso.ExpiryWarningWindow
		}
		if x, err := keys.ParseCertificatePEM(vc.Certificate); err == nil {
			cert.Fingerprint = saml.Fingerprint(x.Raw)
			c.Expected.CertificateFingerprints = append(c.Expected.CertificateFingerprints, cert.Fingerprint)
			c.Warnings = append(c.Warnings, certWarnings(x, cert)...)
		}
		c.Certs = append(c.Certs, cert)
	}
	if lc != nil && lc.MetadataURL != "" {
		c.Refresh = &Refresh{URL: lc.MetadataURL}
		if lc.NextRefreshAt != nil {
			c.Refresh.Next = lc.NextRefreshAt.UTC().Format("2 Jan 2006 15:04 UTC")
		}
		if len(lc.Refreshes) > 0 {
			r := lc.Refreshes[0]
			c.Refresh.LastAt, c.Refresh.LastOutcome, c.Refresh.LastMsg = r.AttemptedAt.UTC().Format("2 Jan 2006 15:04 UTC"), r.Outcome, r.Message
		}
	}
	m := v.AttributeMapping
	c.Mapping = Mapping{Email: m["email"], FirstName: m["first_name"], LastName: m["last_name"], FullName: m["full_name"], Groups: m["groups"]}
	if len(m) == 0 {
		c.Mapping = Mapping{Email: g.Mapping["email"], FirstName: g.Mapping["first_name"], LastName: g.Mapping["last_name"], Groups: g.Groups, Defaulted: true}
	}
	if !v.IDPInitiatedAuthDisabled {
		c.Warnings = append(c.Warnings, "Sign-in started from the IdP's own dashboard (IdP-initiated) is accepted. It works, but such a response is not tied to a sign-in the user started; ask the application's vendor to switch it off (idp_initiated_auth_disabled) if your people always start at the application.")
	}
	if strings.HasPrefix(v.IDPSSOURL, "http://") {
		c.Warnings = append(c.Warnings, "The IdP's sign-in URL is plain http: sign-ins pass through it unencrypted. Use its https URL.")
	}
	if v.AlternativeAudienceURI != "" {
		c.Warnings = append(c.Warnings, "An alternative audience ("+v.AlternativeAudienceURI+") is also accepted, for a migration from another provider. Remove it once every IdP uses the audience above.")
	}
	return c
}

// certWarnings flags a verification certificate that relies on something
// weaker than Seam's defaults.
func certWarnings(x *x509.Certificate, c Cert) []string {
	var out []string
	name := "The IdP certificate " + c.Fingerprint[:min(len(c.Fingerprint), 11)] + "…"
	switch {
	case c.Expired:
		out = append(out, name+" expired on "+c.Expires+"; responses signed with it are refused. Load the IdP's current metadata.")
	case c.Warn:
		out = append(out, name+" expires "+c.Left+" ("+c.Expires+"). Add the IdP's next certificate before then (load its metadata again once it lists the new one).")
	}
	if k, ok := x.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
		out = append(out, name+" has a "+strconv.Itoa(k.N.BitLen())+"-bit RSA key; 2048 bits or more is the current minimum. Generate a new certificate at the IdP.")
	}
	switch x.SignatureAlgorithm {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.MD5WithRSA:
		out = append(out, name+" is itself signed with a legacy algorithm ("+x.SignatureAlgorithm.String()+"). Seam checks SAML signatures with SHA-256 or stronger only, but a certificate this old suggests an IdP setup worth renewing.")
	}
	return out
}

// OIDCView builds the page's view of an OIDC connection. The client
// secret is never shown: only whether one is set.
func OIDCView(v *sso.OIDCConnection, guideKey string) *ConnView {
	g := pickGuide(store.KindOIDC, guideKey, v.IdentityProvider, Detected{})
	c := &ConnView{ID: v.ConnectionID, Kind: store.KindOIDC, KindName: "OIDC", Name: v.DisplayName, Status: v.Status,
		Active: v.Status == "active", Missing: missingOf(v.MissingSettings), Guide: g, Guides: guidesOf(store.KindOIDC),
		Issuer: v.Issuer, ClientID: v.ClientID, HasSecret: v.ClientSecret != "", IdPOrigin: origin(v.AuthorizationURL),
		Expected: Expected{Issuer: v.Issuer, ClientID: v.ClientID, EmailAttribute: v.AttributeMapping["email"]}}
	c.Copy = []CopyValue{{ID: "redirect-url", Label: g.Labels.RedirectURL, Value: v.RedirectURL}}
	for _, f := range []Field{{"Authorization endpoint", v.AuthorizationURL}, {"Token endpoint", v.TokenURL}, {"Userinfo endpoint", v.UserinfoURL}, {"Key set (JWKS)", v.JWKSURL}} {
		if f.Value != "" {
			c.Endpoints = append(c.Endpoints, f)
		}
	}
	m := v.AttributeMapping
	c.Mapping = Mapping{Email: m["email"], FirstName: m["first_name"], LastName: m["last_name"], FullName: m["full_name"], Groups: m["groups"]}
	if strings.HasPrefix(v.Issuer, "http://") {
		c.Warnings = append(c.Warnings, "The issuer is plain http, which Seam accepts only on this machine (loopback) for development. A real provider's issuer is https.")
	}
	return c
}

// origin is scheme://host of a URL, "" when it has none.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
