package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/scim"
)

// The SCIM 2.0 service provider (RFC 7644) at a connection's base URL,
// /v1/b2b/scim/{connection_id}. Requests authenticate with the
// connection's bearer token (authSCIM); requests and responses are
// application/scim+json (application/json is accepted too); every error is
// an RFC 7644 error response.

// scimFunc is a SCIM endpoint: a status and a body, or an error.
type scimFunc func(r *http.Request, sc *scim.Scope) (int, any, error)

// scimResource is the request body a SCIM route declares: a resource or a
// PatchOp message, sent as application/scim+json.
type scimResource struct {
	description string
}

// scimOut declares a SCIM response body.
func scimOut(description string) nonJSON {
	return nonJSON{status: http.StatusOK, mediaType: scimMediaType, description: description}
}

const scimMediaType = "application/scim+json"

func (s *Server) scimProtocolRoutes() []route {
	const base = "/v1/b2b/scim/{connection_id}"
	r := func(pattern, summary string, in any, out nonJSON, h scimFunc) route {
		return route{pattern: pattern, auth: authSCIM, summary: summary + " (SCIM 2.0, RFC 7644)", in: in, out: out, handler: s.scimHandler(h)}
	}
	user := scimResource{"A SCIM User (urn:ietf:params:scim:schemas:core:2.0:User, optionally with the enterprise extension)."}
	group := scimResource{"A SCIM Group (urn:ietf:params:scim:schemas:core:2.0:Group)."}
	patch := scimResource{"A PatchOp message (urn:ietf:params:scim:api:messages:2.0:PatchOp)."}
	return []route{
		r("GET "+base+"/ServiceProviderConfig", "The service provider's capabilities.", nil, scimOut("ServiceProviderConfig."), s.scimSPConfig),
		r("GET "+base+"/ResourceTypes", "The resource types: User and Group.", nil, scimOut("A ListResponse of ResourceType."), s.scimResourceTypes),
		r("GET "+base+"/ResourceTypes/{name}", "One resource type.", nil, scimOut("A ResourceType."), s.scimResourceType),
		r("GET "+base+"/Schemas", "The schemas: User, Group, EnterpriseUser.", nil, scimOut("A ListResponse of Schema."), s.scimSchemas),
		r("GET "+base+"/Schemas/{schema_id}", "One schema.", nil, scimOut("A Schema."), s.scimSchema),
		r("GET "+base+"/Users", "List users: filter (eq, ne, co, sw, ew, pr, and, or, not on userName, externalId, emails.value, displayName, active), startIndex, count.", nil, scimOut("A ListResponse of User."), s.scimListUsers),
		r("POST "+base+"/Users", "Provision a user: creates the member, or adopts the member with the same email address.", user, nonJSON{http.StatusCreated, scimMediaType, "The created User."}, s.scimCreateUser),
		r("GET "+base+"/Users/{id}", "Get a user.", nil, scimOut("A User."), s.scimGetUser),
		r("PUT "+base+"/Users/{id}", "Replace a user; active false deactivates the member and revokes its sessions.", user, scimOut("The User."), s.scimReplaceUser),
		r("PATCH "+base+"/Users/{id}", "Patch a user (RFC 7644 3.5.2, with Entra ID and Okta forms).", patch, scimOut("The User."), s.scimPatchUser),
		r("DELETE "+base+"/Users/{id}", "Deprovision a user: the member is deactivated and its sessions revoked.", nil, nonJSON{http.StatusNoContent, "", "Deleted."}, s.scimDeleteUser),
		r("GET "+base+"/Groups", "List groups: filter on displayName, externalId, id; excludedAttributes=members.", nil, scimOut("A ListResponse of Group."), s.scimListGroups),
		r("POST "+base+"/Groups", "Create a group.", group, nonJSON{http.StatusCreated, scimMediaType, "The created Group."}, s.scimCreateGroup),
		r("GET "+base+"/Groups/{id}", "Get a group.", nil, scimOut("A Group."), s.scimGetGroup),
		r("PUT "+base+"/Groups/{id}", "Replace a group and its members.", group, scimOut("The Group."), s.scimReplaceGroup),
		r("PATCH "+base+"/Groups/{id}", "Patch a group: members added, removed (by filter or value), renamed.", patch, scimOut("The Group."), s.scimPatchGroup),
		r("DELETE "+base+"/Groups/{id}", "Delete a group; its role assignments go with it.", nil, nonJSON{http.StatusNoContent, "", "Deleted."}, s.scimDeleteGroup),
	}
}

// scimHandler authenticates the bearer token for the path's connection and
// writes the result as application/scim+json.
func (s *Server) scimHandler(h scimFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Guessing bearer tokens is bounded like guessing project secrets:
		// failures count per client address and per connection (authGate).
		connID := r.PathValue("connection_id")
		if err := s.authGate(r, "scim_token", connID); err != nil {
			writeSCIMError(w, r, err)
			return
		}
		sc, err := s.scim.Authenticate(r.Context(), connID, r.Header.Get("Authorization"))
		if err != nil {
			if scim.AsError(err).Status == http.StatusUnauthorized {
				s.countAuthFailure(r, "scim_token", connID)
			}
			writeSCIMError(w, r, err)
			return
		}
		logctx.Note(r.Context(), logctx.What{ProjectID: sc.Project.ID, OrganizationID: sc.Org.ID})
		// Changes made through this request are the directory's: source
		// SCIM, actor the connection whose token authenticated.
		r = r.WithContext(events.WithOrigin(r.Context(), events.Origin{Source: events.SourceSCIM,
			Actor: events.Actor{Type: events.ActorSCIMToken, ID: sc.Conn.ID}}))
		status, body, err := h(r, sc)
		if err != nil {
			writeSCIMError(w, r, err)
			return
		}
		writeSCIM(w, status, body)
	})
}

func writeSCIM(w http.ResponseWriter, status int, body any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, mustJSON(scim.AsError(err).Body())
	}
	if m, ok := body.(map[string]any); ok && status == http.StatusCreated {
		if meta, ok := m["meta"].(map[string]any); ok {
			if loc, ok := meta["location"].(string); ok {
				w.Header().Set("Location", loc)
			}
		}
	}
	w.Header().Set("Content-Type", scimMediaType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeSCIMError writes err as an RFC 7644 error response; internal causes
// are logged with the request ID, never sent.
func writeSCIMError(w http.ResponseWriter, r *http.Request, err error) {
	e := scim.AsError(err)
	if e.Status >= 500 {
		loggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelError, "scim request failed", slog.String("error", errString(errors.Unwrap(e))))
	}
	logctx.Note(r.Context(), logctx.What{ErrorType: "scim_" + strconv.Itoa(e.Status) + e.ScimType})
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="SCIM"`)
	}
	if ae := apierr.As(err); ae != nil && ae.Status == http.StatusTooManyRequests {
		if n, ok := ae.Details[apierr.RetryAfterKey].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(n))
		}
	}
	b := mustJSON(e.Body())
	w.Header().Set("Content-Type", scimMediaType)
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v) // SCIM error bodies are plain strings
	return b
}

// scimBody reads a SCIM request body: application/scim+json or
// application/json, at most maxBody bytes.
func scimBody(r *http.Request) ([]byte, error) {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (media != scimMediaType && media != "application/json") {
		return nil, &scim.Error{Status: http.StatusUnsupportedMediaType, Detail: "Send the body as application/scim+json."}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &scim.Error{Status: http.StatusRequestEntityTooLarge, Detail: "The body is larger than 1 MiB."}
	}
	if err != nil {
		return nil, &scim.Error{Status: http.StatusBadRequest, ScimType: scim.TypeInvalidSyntax, Detail: "The body could not be read."}
	}
	if err := checkJSON(body); err != nil {
		return nil, &scim.Error{Status: http.StatusBadRequest, ScimType: scim.TypeInvalidSyntax, Detail: "The body is not valid JSON text (UTF-8, no NUL, no duplicate keys, bounded nesting)."}
	}
	return body, nil
}

func (s *Server) scimSPConfig(r *http.Request, sc *scim.Scope) (int, any, error) {
	return http.StatusOK, s.scim.ServiceProviderConfig(sc), nil
}

func listOf(items []map[string]any) scim.ListResponse {
	return scim.ListResponse{Schemas: []string{scim.ListSchema}, TotalResults: len(items), StartIndex: 1, ItemsPerPage: len(items), Resources: items}
}

func (s *Server) scimResourceTypes(r *http.Request, sc *scim.Scope) (int, any, error) {
	return http.StatusOK, listOf(s.scim.ResourceTypes(sc)), nil
}

func (s *Server) scimResourceType(r *http.Request, sc *scim.Scope) (int, any, error) {
	for _, rt := range s.scim.ResourceTypes(sc) {
		if rt["id"] == r.PathValue("name") {
			return http.StatusOK, rt, nil
		}
	}
	return 0, nil, &scim.Error{Status: http.StatusNotFound, Detail: "No such resource type."}
}

func (s *Server) scimSchemas(r *http.Request, sc *scim.Scope) (int, any, error) {
	return http.StatusOK, listOf(s.scim.Schemas(sc)), nil
}

func (s *Server) scimSchema(r *http.Request, sc *scim.Scope) (int, any, error) {
	for _, d := range s.scim.Schemas(sc) {
		if d["id"] == r.PathValue("schema_id") {
			return http.StatusOK, d, nil
		}
	}
	return 0, nil, &scim.Error{Status: http.StatusNotFound, Detail: "No such schema."}
}

// listParams reads filter, startIndex, count and excludedAttributes.
func listParams(r *http.Request) (scim.ListParams, error) {
	q := r.URL.Query()
	l := scim.ListParams{Filter: q.Get("filter"), StartIndex: 1, Count: -1, ExcludedAttributes: q.Get("excludedAttributes")}
	for name, dst := range map[string]*int{"startIndex": &l.StartIndex, "count": &l.Count} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return l, &scim.Error{Status: http.StatusBadRequest, ScimType: scim.TypeInvalidValue, Detail: name + " must be an integer."}
			}
			if name == "count" && n < 0 {
				n = 0
			}
			*dst = n
		}
	}
	return l, nil
}

func (s *Server) scimListUsers(r *http.Request, sc *scim.Scope) (int, any, error) {
	l, err := listParams(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := s.scim.ListUsers(r.Context(), sc, l)
	return http.StatusOK, out, err
}

func (s *Server) scimListGroups(r *http.Request, sc *scim.Scope) (int, any, error) {
	l, err := listParams(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := s.scim.ListGroups(r.Context(), sc, l)
	return http.StatusOK, out, err
}

// withBody adapts a body-taking service call.
func withBody(status int, call func(ctx context.Context, body []byte) (map[string]any, error), r *http.Request) (int, any, error) {
	body, err := scimBody(r)
	if err != nil {
		return 0, nil, err
	}
	out, err := call(r.Context(), body)
	return status, out, err
}

func (s *Server) scimCreateUser(r *http.Request, sc *scim.Scope) (int, any, error) {
	return withBody(http.StatusCreated, func(ctx context.Context, b []byte) (map[string]any, error) { return s.scim.CreateUser(ctx, sc, b) }, r)
}

func (s *Server) scimGetUser(r *http.Request, sc *scim.Scope) (int, any, error) {
	out, err := s.scim.GetUser(r.Context(), sc, r.PathValue("id"))
	return http.StatusOK, out, err
}

func (s *Server) scimReplaceUser(r *http.Request, sc *scim.Scope) (int, any, error) {
	return withBody(http.StatusOK, func(ctx context.Context, b []byte) (map[string]any, error) {
		return s.scim.ReplaceUser(ctx, sc, r.PathValue("id"), b)
	}, r)
}

func (s *Server) scimPatchUser(r *http.Request, sc *scim.Scope) (int, any, error) {
	return withBody(http.StatusOK, func(ctx context.Context, b []byte) (map[string]any, error) {
		return s.scim.PatchUser(ctx, sc, r.PathValue("id"), b)
	}, r)
}

func (s *Server) scimDeleteUser(r *http.Request, sc *scim.Scope) (int, any, error) {
	return http.StatusNoContent, nil, s.scim.DeleteUser(r.Context(), sc, r.PathValue("id"))
}

func (s *Server) scimCreateGroup(r *http.Request, sc *scim.Scope) (int, any, error) {
	return withBody(http.StatusCreated, func(ctx context.Context, b []byte) (map[string]any, error) { return s.scim.CreateGroup(ctx, sc, b) }, r)
}

func (s *Server) scimGetGroup(r *http.Request, sc *scim.Scope) (int, any, error) {
	withMembers := true
	for _, a := range strings.Split(r.URL.Query().Get("excludedAttributes"), ",") {
		if strings.EqualFold(strings.TrimSpace(a), "members") {
			withMembers = false
		}
	}
	out, err := s.scim.GetGroup(r.Context(), sc, r.PathValue("id"), withMembers)
	return http.StatusOK, out, err
}

func (s *Server) scimReplaceGroup(r *http.Request, sc *scim.Scope) (int, any, error) {
	return withBody(http.StatusOK, func(ctx context.Context, b []byte) (map[string]any, error) {
		return s.scim.ReplaceGroup(ctx, sc, r.PathValue("id"), b)
	}, r)
}

func (s *Server) scimPatchGroup(r *http.Request, sc *scim.Scope) (int, any, error) {
	return withBody(http.StatusOK, func(ctx context.Context, b []byte) (map[string]any, error) {
		return s.scim.PatchGroup(ctx, sc, r.PathValue("id"), b)
	}, r)
}

func (s *Server) scimDeleteGroup(r *http.Request, sc *scim.Scope) (int, any, error) {
	return http.StatusNoContent, nil, s.scim.DeleteGroup(r.Context(), sc, r.PathValue("id"))
}

// scimBoundaryError turns a boundary refusal (unstorable path or query
// text) into a SCIM error with the same status.
func scimBoundaryError(err error) error {
	status := http.StatusBadRequest
	if ae := apierr.As(err); ae != nil {
		status = ae.Status
	}
	return &scim.Error{Status: status, ScimType: scim.TypeInvalidValue, Detail: "A path or query parameter is not valid text."}
}

// scimResponsesOf documents a SCIM route's responses: its success and RFC
// 7644 errors.
func scimResponsesOf(rt route) map[string]any {
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{scimMediaType: map[string]any{"schema": map[string]any{
			"type": "object", "required": []any{"schemas", "status"},
			"properties": map[string]any{
				"schemas": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
				"status":  map[string]any{"type": "string"}, "scimType": map[string]any{"type": "string"},
				"detail": map[string]any{"type": "string"},
			}}}}}
	}
	out := map[string]any{
		"400": errResp("Bad request: scimType invalidFilter, invalidSyntax, invalidPath, invalidValue, noTarget or mutability."),
		"401": errResp("Missing bearer token, or not this connection's."),
		"404": errResp("No such resource."),
		"409": errResp("uniqueness: the userName (or the member's email address) is taken."),
		"500": errResp("Internal error."),
	}
	if rt.body() == scimBodyKind {
		out["413"] = errResp("The body is larger than 1 MiB.")
		out["415"] = errResp("The body was not sent as application/scim+json or application/json.")
	}
	o := rt.out.(nonJSON)
	r := map[string]any{"description": o.description}
	if o.mediaType != "" {
		r["content"] = map[string]any{o.mediaType: map[string]any{"schema": map[string]any{"type": "object"}}}
	}
	out[strconv.Itoa(o.status)] = r
	return out
}
