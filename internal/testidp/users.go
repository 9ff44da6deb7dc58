package testidp

// User is one of the test IdP's fixed users.
type User struct {
	// ID is the stable subject: the SAML NameID is the email, the OIDC sub
	// is "test-user-" + ID.
	ID         string
	Email      string
	GivenName  string
	FamilyName string
	Groups     []string
}

// Name is the full name.
func (u User) Name() string { return u.GivenName + " " + u.FamilyName }

// Subject is the OIDC sub claim.
func (u User) Subject() string { return "test-user-" + u.ID }

// Users are the test IdP's users, in the order the login page lists them.
func Users() []User {
	return []User{
		{ID: "ada", Email: "ada@example.com", GivenName: "Ada", FamilyName: "Lovelace", Groups: []string{"engineering", "admins"}},
		{ID: "bob", Email: "bob@example.com", GivenName: "Bob", FamilyName: "Brown", Groups: []string{"sales"}},
		{ID: "grace", Email: "grace@example.com", GivenName: "Grace", FamilyName: "Hopper", Groups: []string{"engineering"}},
		{ID: "eve", Email: "eve@example.com", GivenName: "Eve", FamilyName: "Moneypenny", Groups: nil},
	}
}

// UserByID finds a user.
func UserByID(id string) (User, bool) {
	for _, u := range Users() {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// Mode is how the IdP answers: correctly, or with one deliberate fault.
type Mode string

// The answers the login page offers.
const (
	// Valid is a correct response.
	Valid Mode = "valid"
	// WrongAudience names an audience (SAML) or client ID (OIDC aud) that is
	// not the connection's.
	WrongAudience Mode = "wrong_audience"
	// Expired is an assertion or ID token whose lifetime ended an hour ago.
	Expired Mode = "expired"
	// WrongSigningKey is signed by a fresh key the connection does not
	// trust (a certificate the SAML connection does not hold; for OIDC a
	// key under the published kid that is not the published one).
	WrongSigningKey Mode = "wrong_signing_key"
	// Tampered (SAML) changes the signed assertion after signing, so the
	// digest no longer matches.
	Tampered Mode = "tampered"
)

// ModeOption is one choice on the login page.
type ModeOption struct {
	Mode  Mode
	Label string
}

// SAMLModes are the answers the SAML login page offers.
func SAMLModes() []ModeOption {
	return []ModeOption{
		{Valid, "A valid, signed response"},
		{WrongAudience, "Wrong audience (the assertion is for another service provider)"},
		{Expired, "Expired assertion (its time window ended an hour ago)"},
		{WrongSigningKey, "Signed with a certificate the connection does not trust"},
		{Tampered, "Tampered: the assertion was changed after it was signed"},
	}
}

// OIDCModes are the answers the OIDC login page offers.
func OIDCModes() []ModeOption {
	return []ModeOption{
		{Valid, "A valid, signed ID token"},
		{WrongAudience, "Wrong audience (the ID token is for another client)"},
		{Expired, "Expired ID token (it expired an hour ago)"},
		{WrongSigningKey, "Signed with a key that is not the one in the JWKS"},
	}
}

func validMode(m Mode, opts []ModeOption) bool {
	for _, o := range opts {
		if o.Mode == m {
			return true
		}
	}
	return false
}
