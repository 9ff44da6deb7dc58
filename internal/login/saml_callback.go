package login

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/saml"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// SAMLCallback is what the ACS handler passes in.
type SAMLCallback struct {
	ConnectionID string // from the ACS path
	SAMLResponse string
	Cookies      []*http.Cookie
	RequestID    string // the HTTP request ID, stored with the attempt
}

// Failure is a rejected callback: it is shown to the browser (status, type
// and detail are safe to show) and recorded as a login attempt.
type Failure struct {
	Status    int
	ErrorType string
	Reason    string
	Detail    string
	// Cause is the internal error behind a 5xx failure, for the server log
	// only.
	Cause error
}

func (f *Failure) Error() string { return f.ErrorType + ": " + f.Detail }

// CallbackResult sends the browser to the application with the SSO token.
type CallbackResult struct {
	RedirectURL string
	// ClearCookie is the request cookie to delete, if one was used.
	ClearCookie *http.Cookie
	// tested is the identity a test login from a setup page verified.
	tested *identity
}

// HandleSAML verifies an IdP's SAML response posted to the ACS. Every
// outcome is recorded as a login attempt of the connection.
func (s *Service) HandleSAML(ctx context.Context, cb SAMLCallback) (*CallbackResult, error) {
	conn, err := s.findSAMLConnection(ctx, cb.ConnectionID)
	if err != nil {
		return nil, err
	}
	// Cheap refusals are answered without writing anything: a connection
	// that cannot log anyone in yet, and a form value that is not an
	// encoded XML document (no diagnostics to keep for an IT admin).
	if f := s.refuseInactive(conn); f != nil {
		return nil, s.unrecorded(conn, f)
	}
	if err := saml.CheckEncoding([]byte(cb.SAMLResponse)); err != nil {
		if r, ok := saml.AsRejection(err); ok {
			return nil, s.unrecorded(conn, reject(r))
		}
		return nil, s.unrecorded(conn, &Failure{Status: http.StatusBadRequest, ErrorType: "invalid_saml_response", Reason: "malformed", Detail: "The SAML response could not be decoded."})
	}
	run, a, facts, ferr := s.checkSAML(conn, cb)
	if ferr != nil && shapeRefusal(ferr.Reason) {
		return nil, s.unrecorded(conn, ferr) // not a SAML response at all: nothing to show an IT admin
	}
	if ferr != nil {
		// Refused by the verifier: the attempt is all there is to write.
		return s.conclude(ctx, s.Store, conn, cb, nil, nil, facts, nil, ferr)
	}
	// Verified. What the login writes (the request used up, the assertion
	// ID for replay protection, the SSO token and the attempt) is written
	// in one transaction: one commit instead of five, and the replay record
	// is as durable as before, committed before the browser is redirected.
	// A refusal decided inside (an unknown request, a replay, the linking
	// rule) commits too, so it uses the request up and is recorded as
	// before; a database error rolls everything back, nothing of the login
	// is kept, and the attempt is recorded on its own.
	var (
		out    *CallbackResult
		outErr error
		failed *Failure
	)
	err = s.Store.Tx(ctx, func(q store.Queries) error {
		var matched *store.SSORequest
		res, link, ferr := s.acceptSAML(ctx, q, conn, cb, run, a, &matched)
		if ferr != nil && ferr.Status >= http.StatusInternalServerError {
			failed = ferr
			return ferr
		}
		out, outErr = s.conclude(ctx, q, conn, cb, matched, res, facts, link, ferr)
		return nil
	})
	switch {
	case failed != nil:
		return s.conclude(ctx, s.Store, conn, cb, nil, nil, facts, nil, failed)
	case err != nil:
		return nil, internalFailure("the login could not be stored", err)
	}
	return out, outErr
}

// conclude records the outcome of a callback with q and returns it: a
// test login's goes back to its setup page.
func (s *Service) conclude(ctx context.Context, q store.Queries, conn *store.Connection, cb SAMLCallback, matched *store.SSORequest,
	res *CallbackResult, facts *saml.Facts, link *linkFacts, ferr *Failure) (*CallbackResult, error) {
	var view any
	inResponseTo := ""
	if facts != nil {
		v := factsView(facts)
		v.IdentityLink = link
		view = v
		inResponseTo = facts.InResponseTo
	}
	if test := s.testRequest(ctx, q, conn, matched, inResponseTo, cb.Cookies); test != nil {
		v := factsJSON{}
		if facts != nil {
			v = factsView(facts)
		}
		v.TestLogin, v.TestIdentity = true, testIdentityOf(res)
		return s.finishTest(test, conn, s.recordAttempt(ctx, q, conn, cb.RequestID, ferr, v))
	}
	s.recordAttempt(ctx, q, conn, cb.RequestID, ferr, view)
	if ferr != nil {
		return nil, ferr
	}
	return res, nil
}

// findSAMLConnection looks a connection up by ID alone: the ACS URL is the
// only thing that names it, and connection IDs are unique across projects.
func (s *Service) findSAMLConnection(ctx context.Context, id string) (*store.Connection, error) {
	var c *store.Connection
	err := store.ErrNotFound
	if sso.IsConnectionID(store.KindSAML, id) {
		c, err = s.Store.GetConnectionByID(ctx, id)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.Kind != store.KindSAML) {
		return nil, &Failure{Status: http.StatusNotFound, ErrorType: "saml_connection_not_found", Reason: "unknown_connection",
			Detail: "No SAML connection has this ACS URL."}
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return c, nil
}

// shapeRefusal reports whether a verifier refusal means the post is not a
// SAML response (it does not decode, parse, or hold a Response element);
// such posts are answered without being recorded as login attempts.
func shapeRefusal(reason string) bool {
	switch saml.Reason(reason) {
	case saml.ReasonMissingResponse, saml.ReasonMalformed, saml.ReasonTooLarge, saml.ReasonDoctypeForbidden,
		saml.ReasonUnstableXML, saml.ReasonNotAResponse:
		return true
	}
	return false
}

// refuseInactive is the refusal of a login through a pending connection.
func (s *Service) refuseInactive(conn *store.Connection) *Failure {
	if conn.Status == "active" {
		return nil
	}
	kind := "SAML"
	if conn.Kind == store.KindOIDC {
		kind = "OIDC"
	}
	return &Failure{Status: http.StatusBadRequest, ErrorType: "requires_active_sso_connection", Reason: "connection_not_active",
		Detail: "The " + kind + " connection is not active yet: " + s.missingText(conn)}
}

func reject(r *saml.Rejection) *Failure {
	return &Failure{Status: http.StatusBadRequest, ErrorType: r.ErrorType(), Reason: string(r.Reason), Detail: r.Detail}
}

// checkSAML verifies the response against the connection's trust
// settings; it reads and writes nothing.
func (s *Service) checkSAML(conn *store.Connection, cb SAMLCallback) (*sso.SAMLRuntime, *saml.Assertion, *saml.Facts, *Failure) {
	if conn.Status != "active" {
		return nil, nil, nil, &Failure{Status: http.StatusBadRequest, ErrorType: "requires_active_sso_connection", Reason: "connection_not_active",
			Detail: "The SAML connection is not active yet: " + s.missingText(conn)}
	}
	run, err := s.SSO.SAMLVerifyRuntime(conn)
	if err != nil {
		return nil, nil, nil, internalFailure("the connection's keys could not be loaded", err)
	}
	a, err := saml.VerifyResponse([]byte(cb.SAMLResponse), saml.Trust{
		IDPEntityID: run.IDPEntityID, Certificates: run.Certificates, DecryptionKeys: run.DecryptionKeys,
		Audiences: run.Audiences, ACSURLs: run.ACSURLs, ClockSkew: s.ClockSkew, Now: s.Now(),
		Algorithms: saml.Algorithms{LegacyRSASHA1: run.AllowLegacyRSASHA1},
	})
	if err != nil {
		if r, ok := saml.AsRejection(err); ok {
			return nil, nil, &r.Facts, reject(r)
		}
		return nil, nil, nil, &Failure{Status: http.StatusBadRequest, ErrorType: "invalid_saml_response", Reason: "malformed", Detail: "The SAML response could not be verified."}
	}
	// The verifier's facts are already cleaned and bounded; the certificate
	// is the one that verified.
	facts := &a.Facts
	facts.CertificateFingerprint = a.CertificateFingerprint
	return run, a, facts, nil
}

// acceptSAML logs a verified response in with q: it uses up the request
// the response answers, records the assertion against replay, applies the
// attribute mapping and issues the SSO token.
func (s *Service) acceptSAML(ctx context.Context, q store.Queries, conn *store.Connection, cb SAMLCallback, run *sso.SAMLRuntime,
	a *saml.Assertion, matched **store.SSORequest) (*CallbackResult, *linkFacts, *Failure) {
	var err error
	// Which login does this answer? SP-initiated: the stored request, bound
	// to this browser. IdP-initiated: none, if the connection allows it.
	var req *store.SSORequest
	if a.InResponseTo != "" {
		if req, err = s.matchRequest(ctx, q, conn, a.InResponseTo, cb.Cookies); err != nil {
			return nil, nil, asFailure(err)
		}
		*matched = req
	} else if run.IDPInitiatedAuthDisabled {
		return nil, nil, reject(saml.NewRejection(saml.ReasonUnsolicitedResponse,
			"IdP-initiated login is disabled on this connection (idp_initiated_auth_disabled); start the login from the application."))
	}
	// Replay: the assertion ID is remembered in the database until the
	// assertion would expire anyway, so no replica accepts it twice.
	if err := q.RecordAssertion(ctx, conn.ID, a.AssertionID, a.NotOnOrAfter, s.Now()); err != nil {
		var c *store.ErrConflict
		if errors.As(err, &c) {
			return nil, nil, reject(saml.NewRejection(saml.ReasonReplay, "This assertion was already used; a SAML response can be used once."))
		}
		return nil, nil, internalFailure("the replay cache is unavailable", err)
	}
	id, ferr := mapSAMLIdentity(run, a)
	if ferr != nil {
		return nil, nil, ferr
	}
	if req != nil && req.SetupLinkID != "" {
		return &CallbackResult{tested: id}, nil, nil // a test login: no token, member or session
	}
	return s.issueToken(ctx, q, conn, req, id)
}

// matchRequest consumes the stored AuthnRequest the response answers and
// checks the browser cookie set at start.
func (s *Service) matchRequest(ctx context.Context, q store.Queries, conn *store.Connection, requestID string, cookies []*http.Cookie) (*store.SSORequest, error) {
	// The cookie is checked first so that a response posted from another
	// browser does not use up the pending request.
	if !hasCookie(cookies, requestCookiePrefix+requestID) {
		return nil, &Failure{Status: http.StatusBadRequest, ErrorType: "missing_saml_csrf_cookie", Reason: "missing_request_cookie",
			Detail: s.missingCookieDetail("the SAML response", true)}
	}
	req, err := q.ConsumeSSORequest(ctx, conn.ProjectID, requestID, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, reject(saml.NewRejection(saml.ReasonInResponseToMismatch,
			"InResponseTo does not match a pending login request of this project (unknown, expired or already used)."))
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	if !s.sentBy(ctx, q, conn, req) {
		return nil, reject(saml.NewRejection(saml.ReasonInResponseToMismatch, "InResponseTo names a login request of another connection."))
	}
	return req, nil
}

// sentBy reports whether a stored login request was sent by conn, directly
// or for an External connection that logs in through it.
func (s *Service) sentBy(ctx context.Context, q store.Queries, conn *store.Connection, req *store.SSORequest) bool {
	if req.ConnectionID == conn.ID {
		return true
	}
	ext, err := q.GetConnection(ctx, conn.ProjectID, req.ConnectionID)
	return err == nil && ext.SourceID == conn.ID
}

func hasCookie(cs []*http.Cookie, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}

func asFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	e := apierr.As(err)
	return &Failure{Status: e.Status, ErrorType: e.Type, Reason: e.Type, Detail: e.Message}
}

// mapSAMLIdentity applies the connection's attribute_mapping.
func mapSAMLIdentity(run *sso.SAMLRuntime, a *saml.Assertion) (*identity, *Failure) {
	first := func(key string) string {
		name := run.AttributeMapping[key]
		if name == "" {
			return ""
		}
		for _, v := range a.Attributes[name] {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
		return ""
	}
	// The assertion is signed by the organization's own IdP: it vouches for
	// the email it carries. A transient NameID changes on every login and is
	// never a registration key (internal/linking).
	id := &identity{Kind: "saml", VerifiedBy: run.ConnectionID, Subject: a.NameID, Attributes: a.Attributes,
		EmailTrust: linking.EmailVerified, Transient: a.NameIDFormat == saml.NameIDTransient}
	id.Email = strings.ToLower(first("email"))
	if id.Email == "" && strings.HasSuffix(a.NameIDFormat, ":emailAddress") && strings.Contains(a.NameID, "@") {
		id.Email = strings.ToLower(a.NameID)
	}
	if id.Email == "" || !strings.Contains(id.Email, "@") || len(id.Email) > 320 {
		return nil, reject(saml.NewRejection(saml.ReasonMissingEmailAttribute,
			"The assertion has no usable email in the attribute named by attribute_mapping.email ("+apierr.Quote(run.AttributeMapping["email"])+")."))
	}
	id.Name = first("full_name")
	if id.Name == "" {
		id.Name = strings.TrimSpace(first("first_name") + " " + first("last_name"))
	}
	if g := run.AttributeMapping["groups"]; g != "" {
		for _, v := range a.Attributes[g] {
			if v = strings.TrimSpace(v); v != "" {
				id.Groups = append(id.Groups, v)
			}
		}
	}
	return id, nil
}

// recordAttempt stores the outcome; a failure to record is logged by the
// caller's error path only, never turned into a login failure.
func (s *Service) recordAttempt(ctx context.Context, q store.Queries, conn *store.Connection, requestID string, f *Failure, facts any) string {
	a := &store.LoginAttempt{
		ID: s.IDs.New(ids.LoginAttempt, connEnv(conn)), ProjectID: conn.ProjectID, OrganizationID: conn.OrganizationID,
		ConnectionID: conn.ID, RequestID: requestID, Outcome: "success", CreatedAt: s.Now(),
	}
	if f != nil {
		a.Outcome, a.ErrorType, a.Detail = f.Reason, f.ErrorType, f.Detail
	}
	if facts != nil {
		a.Facts = boundedFacts(facts)
	}
	if s.Metrics != nil {
		s.Metrics.LoginOutcome(conn.Kind, a.Outcome)
	}
	s.step(ctx, "login callback: outcome recorded", conn.OrganizationID, conn.ID,
		slog.String("kind", conn.Kind), slog.String("outcome", a.Outcome), slog.String("error_type", a.ErrorType))
	if err := q.CreateLoginAttempt(ctx, a); err != nil {
		if s.Log != nil {
			s.Log.ErrorContext(ctx, "recording a login attempt failed", "connection_id", conn.ID, "error", err)
		}
		return ""
	}
	// Keep the newest attempts only: a flood of refused posts to one
	// connection replaces its oldest records instead of growing the table.
	if !trimsOn(a.ID, s.attemptsKept()) {
		return a.ID
	}
	if err := q.TrimLoginAttempts(ctx, conn.ProjectID, conn.ID, s.attemptsKept()); err != nil && s.Log != nil {
		s.Log.ErrorContext(ctx, "trimming login attempts failed", "connection_id", conn.ID, "error", err)
	}
	return a.ID
}

// maxFactsBytes bounds one attempt's stored diagnostics: an IdP may send
// large assertions, and attempts are kept for 30 days.
const maxFactsBytes = 16 << 10

// boundedFacts encodes diagnostics, dropping the attributes seen when they
// would make the record larger than maxFactsBytes.
func boundedFacts(facts any) json.RawMessage {
	b, err := json.Marshal(facts)
	if err == nil && len(b) <= maxFactsBytes {
		return b
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return json.RawMessage(`{}`)
	}
	delete(m, "attributes")
	delete(m, "claims")
	m["attributes_omitted"] = "the attributes seen exceeded the 16 KiB diagnostics limit"
	b, _ = json.Marshal(m)
	if len(b) > maxFactsBytes {
		return json.RawMessage(`{}`)
	}
	return b
}
