package httpapi

// Small response bodies, named so that the route table can declare them
// and /openapi.json can describe them.

type statusResponse struct {
	Status string `json:"status"`
}

type orgDeleteResponse struct {
	OrganizationID string `json:"organization_id"`
}

type memberDeleteResponse struct {
	MemberID string `json:"member_id"`
}

type connectionDeleteResponse struct {
	ConnectionID string `json:"connection_id"`
}

type certificateDeleteResponse struct {
	CertificateID string `json:"certificate_id"`
}

type privateKeyDeleteResponse struct {
	PrivateKeyID string `json:"private_key_id"`
}

// startResponse is the body of the start endpoint's 302 (Stytch documents
// {"status_code":302,"request_id":...,"redirect_url":...}).
type startResponse struct {
	RedirectURL string `json:"redirect_url"`
}

type loginsResponse struct {
	Logins []loginAttemptView `json:"logins"`
}

// emptyResponse is a body with only request_id and status_code.
type emptyResponse struct{}

// noFields is the request body of an operation that takes none: absent, or
// an empty JSON object.
type noFields struct{}
