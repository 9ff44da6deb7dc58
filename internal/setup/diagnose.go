package setup

import (
	"encoding/json"
	"sort"
	"strings"
)

// Outcome is a recorded test login as the page explains it: what went
// wrong in plain words, the value the IdP sent and the one Seam expected,
// and the guide step that fixes it.
type Outcome struct {
	Success bool
	Reason  string // the typed reason ("success" or a rejection reason)
	Type    string // Stytch error_type
	Title   string
	Explain string
	Detail  string // the verifier's own words
	Seen    string
	Want    string
	Step    string // guide step anchor, "" when no IdP setting fixes it
	// On success: who the login would have signed in, and every attribute
	// (SAML) or claim (OIDC) received.
	Email, Name string
	Groups      []string
	Attributes  []Attribute
}

// Attribute is one received attribute or claim.
type Attribute struct {
	Name   string
	Values []string
}

// Expected are the connection's values a response is checked against.
type Expected struct {
	IDPEntityID, Audience, ACSURL, Issuer, ClientID string
	EmailAttribute                                  string
	CertificateFingerprints                         []string
}

// explanation is the plain-words entry of one reason.
type explanation struct {
	title, explain, step string
	// seen and want pick the values to show.
	seen func(f facts) string
	want func(e Expected) string
}

// facts is the stored diagnostics of one attempt (login package's JSON).
type facts struct {
	Issuer                 string              `json:"issuer"`
	Destination            string              `json:"destination"`
	Recipient              string              `json:"recipient"`
	CertificateFingerprint string              `json:"certificate_fingerprint"`
	Audiences              []string            `json:"audiences"`
	Attributes             map[string][]string `json:"attributes"`
	Claims                 map[string]any      `json:"claims"`
	TestLogin              bool                `json:"test_login"`
	TestIdentity           *struct {
		Email  string   `json:"email"`
		Name   string   `json:"name"`
		Groups []string `json:"groups"`
	} `json:"test_identity"`
}

// IsTest reports whether stored diagnostics belong to a test login.
func IsTest(raw json.RawMessage) bool {
	var f facts
	return json.Unmarshal(raw, &f) == nil && f.TestLogin
}

func attrNames(f facts) string {
	var names []string
	for k := range f.Attributes {
		names = append(names, k)
	}
	for k := range f.Claims {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "no attributes at all"
	}
	return "attributes " + strings.Join(names, ", ")
}

func explanations() map[string]explanation {
	issuer := func(f facts) string { return f.Issuer }
	audiences := func(f facts) string { return strings.Join(f.Audiences, ", ") }
	cert := func(f facts) string {
		if f.CertificateFingerprint == "" {
			return ""
		}
		return "certificate SHA-256 " + f.CertificateFingerprint
	}
	certs := func(e Expected) string {
		if len(e.CertificateFingerprints) == 0 {
			return ""
		}
		return "one of: SHA-256 " + strings.Join(e.CertificateFingerprints, ", SHA-256 ")
	}
	clock := explanation{"The clocks disagree (clock skew)", "The response's validity period does not include Seam's current time: the IdP's clock or Seam's is wrong, or the response took too long to arrive. Check that both servers synchronise their clocks (NTP).", "", nil, nil}
	return map[string]explanation{
		"audience_mismatch": {"Wrong audience", "The IdP made the assertion out for another application: the audience it names is not this connection's entity ID.", StepSPValues,
			audiences, func(e Expected) string { return e.Audience }},
		"issuer_mismatch": {"Wrong IdP entity ID (issuer)", "The response comes from an IdP entity ID other than the one this connection trusts.", StepIdPValues,
			issuer, func(e Expected) string { return e.IDPEntityID }},
		"unknown_certificate": {"Certificate mismatch", "The response is signed with a certificate this connection does not trust. The IdP's signing certificate probably changed: load the IdP's current metadata again, or add its new certificate.", StepIdPValues,
			cert, certs},
		"signature_invalid": {"Certificate mismatch", "The signature does not verify with any certificate this connection trusts. The IdP's signing certificate probably changed: load its current metadata again.", StepIdPValues,
			cert, certs},
		"certificate_expired":   {"Expired certificate", "The IdP signed with a certificate that has expired. Renew it at the IdP, then load the IdP's metadata again.", StepIdPValues, cert, nil},
		"signature_missing":     {"Unsigned response", "Neither the assertion nor the response is signed. Set the IdP to sign the assertion (or the whole response).", StepSPValues, nil, nil},
		"algorithm_not_allowed": {"Legacy signature algorithm", "The IdP signs with an algorithm Seam refuses (SHA-1 or weaker). Set the signature algorithm to RSA-SHA256 at the IdP.", StepSPValues, nil, nil},
		"expired":               clock,
		"not_yet_valid":         clock,
		"recipient_mismatch": {"Wrong ACS URL", "The IdP sent the response to another Assertion Consumer Service URL than this connection's.", StepSPValues,
			func(f facts) string { return f.Recipient }, func(e Expected) string { return e.ACSURL }},
		"destination_mismatch": {"Wrong ACS URL", "The response's Destination is not this connection's Assertion Consumer Service URL.", StepSPValues,
			func(f facts) string { return f.Destination }, func(e Expected) string { return e.ACSURL }},
		"missing_email_attribute": {"Missing email attribute", "The response has no usable email address in the attribute the mapping names. Send the email as an attribute, or change the mapping below to the attribute the IdP sends.", StepAttributes,
			attrNames, func(e Expected) string {
				if e.EmailAttribute == "" {
					return "an email attribute"
				}
				return "attribute " + e.EmailAttribute
			}},
		"missing_name_attribute":   {"Missing name attribute", "The response has no name in the attributes the mapping names.", StepAttributes, attrNames, nil},
		"invalid_groups_attribute": {"Unreadable groups attribute", "The groups attribute could not be read as a list of group names.", StepAttributes, nil, nil},
		"unsolicited_response":     {"IdP-initiated login is disabled", "The IdP sent a response no login asked for (IdP-initiated), and this connection accepts only logins that start at the application. Start the test from this page, not from the IdP's dashboard.", StepSPValues, nil, nil},
		"status_not_success":       {"The IdP refused the sign-in", "The IdP answered with an error status instead of an assertion. The usual cause: you are not assigned to the application at the IdP.", StepAssign, nil, nil},
		"decryption_failed":        {"The assertion cannot be decrypted", "The IdP encrypted the assertion for a key this connection does not hold. Remove assertion encryption at the IdP, or give it the current encryption certificate.", StepSPValues, nil, nil},
		"in_response_to_mismatch":  {"The answer does not match this test", "The response answers a login request that is unknown, expired (10 minutes) or already used. Run the test again.", "", nil, nil},
		"replay":                   {"The same response was sent twice", "An assertion can be used once. Run the test again.", "", nil, nil},
		"missing_request_cookie":   {"The browser lost the test's cookie", "The browser did not send back the cookie the test set: run the test in the same browser, without blocking cookies, within 10 minutes.", "", nil, nil},
		// OIDC
		"token_exchange_invalid_client": {"Client ID or secret refused", "The provider refused Seam's client ID or client secret at its token endpoint. Copy the client secret again (secrets often expire), or check the client ID.", StepIdPValues, nil, nil},
		"invalid_grant":                 {"The provider refused the code", "The provider refused the authorization code; the usual cause is a redirect URI that differs from the one registered.", StepSPValues, nil, nil},
		"authorization_error":           {"The provider refused the sign-in", "The provider answered with an error instead of a code. The usual causes: you are not assigned to the application, or the redirect URI is not registered.", StepAssign, nil, nil},
		"id_token_wrong_audience": {"Wrong audience", "The ID token was issued for another client ID.", StepIdPValues,
			audiences, func(e Expected) string { return e.ClientID }},
		"id_token_wrong_issuer": {"Wrong issuer", "The ID token comes from an issuer other than this connection's.", StepIdPValues,
			issuer, func(e Expected) string { return e.Issuer }},
		"id_token_expired":           clock,
		"id_token_not_yet_valid":     clock,
		"id_token_unknown_key":       {"Unknown signing key", "The ID token is signed with a key the provider's key set does not list. Check the issuer.", StepIdPValues, nil, nil},
		"id_token_invalid_signature": {"Invalid ID token signature", "The ID token's signature does not verify with the provider's keys. Check the issuer.", StepIdPValues, nil, nil},
		"jwks_fetch_failed":          {"The provider's keys could not be read", "Seam could not fetch the provider's key set (jwks_url).", StepIdPValues, nil, nil},
		"userinfo_failed":            {"The userinfo endpoint failed", "Seam could not read the user's claims from the provider's userinfo endpoint.", StepIdPValues, nil, nil},
		"connection_not_active":      {"The connection is not complete", "Some settings are still missing; see the status above.", "", nil, nil},
	}
}

// Explain turns one recorded attempt into plain words. facts is its
// stored diagnostics; exp the connection's values.
func Explain(outcome, errorType, detail string, raw json.RawMessage, exp Expected) Outcome {
	var f facts
	_ = json.Unmarshal(raw, &f)
	o := Outcome{Reason: outcome, Type: errorType, Detail: detail}
	if outcome == "success" {
		o.Success, o.Title = true, "The test sign-in worked"
		o.Explain = "The IdP's answer passed every check. Nobody was signed in: a test creates no member and no session."
		if f.TestIdentity != nil {
			o.Email, o.Name, o.Groups = f.TestIdentity.Email, f.TestIdentity.Name, f.TestIdentity.Groups
		}
		for k, v := range f.Attributes {
			o.Attributes = append(o.Attributes, Attribute{k, v})
		}
		for k, v := range f.Claims {
			if s, ok := v.(string); ok {
				o.Attributes = append(o.Attributes, Attribute{k, []string{s}})
			} else if b, ok := v.(bool); ok {
				o.Attributes = append(o.Attributes, Attribute{k, []string{map[bool]string{true: "true", false: "false"}[b]}})
			}
		}
		sort.Slice(o.Attributes, func(i, j int) bool { return o.Attributes[i].Name < o.Attributes[j].Name })
		return o
	}
	if outcome == "missing_email_attribute" && exp.EmailAttribute == "" && len(f.Claims) > 0 {
		exp.EmailAttribute = "email"
	}
	e, ok := explanations()[outcome]
	if !ok {
		o.Title, o.Explain = "The test sign-in failed", "Seam refused the IdP's answer; the details below say why."
		return o
	}
	o.Title, o.Explain, o.Step = e.title, e.explain, e.step
	if e.seen != nil {
		o.Seen = e.seen(f)
	}
	if e.want != nil {
		o.Want = e.want(exp)
	}
	return o
}
