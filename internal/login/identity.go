package login

// identity is what a verified IdP answer says about the member; it is stored
// with the one-time SSO token and turned into a member at authenticate.
type identity struct {
	// Kind is "saml" or "oidc": the protocol that verified the identity.
	Kind string `json:"kind"`
	// VerifiedBy is the SAML or OIDC connection whose IdP verified it.
	VerifiedBy string `json:"verified_by"`
	// ConnectionID is the connection the member logs in through: VerifiedBy,
	// or an External connection of another organization using it.
	ConnectionID string              `json:"connection_id"`
	Subject      string              `json:"subject"` // NameID or OIDC sub: the SSO registration's external_id
	Email        string              `json:"email"`
	Name         string              `json:"name"`
	Groups       []string            `json:"groups,omitempty"`
	Attributes   map[string][]string `json:"attributes,omitempty"`
	// Redirect targets recorded at start (or the project defaults).
	LoginRedirectURL  string `json:"login_redirect_url"`
	SignupRedirectURL string `json:"signup_redirect_url"`
}
