package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/webhooks"
)

// webhookRoutes are Seam extensions (Stytch configures webhooks in its
// dashboard): a project's webhook endpoints and its events log. They run
// with the project secret only; member sessions are refused.
func (s *Server) webhookRoutes() []route {
	const base = "/v1/webhooks/endpoints"
	const one = base + "/{endpoint_id}"
	r := func(pattern, summary string, in, out any, h apiFunc) route {
		return route{pattern: pattern, auth: authProject, access: noSessions(), summary: summary, in: in, out: out, handler: h}
	}
	return []route{
		r("POST "+base, "Create a webhook endpoint (Seam extension); the signing secret is returned this once.",
			webhooks.Params{}, endpointSecretResponse{}, s.createEndpoint),
		r("GET "+base, "List the project's webhook endpoints (Seam extension).", nil, endpointsResponse{}, s.listEndpoints),
		r("GET "+one, "Get a webhook endpoint (Seam extension).", nil, endpointResponse{}, s.getEndpoint),
		r("PUT "+one, "Update a webhook endpoint's URL, event types or enabled flag (Seam extension).",
			webhooks.Params{}, endpointResponse{}, s.updateEndpoint),
		r("DELETE "+one, "Delete a webhook endpoint and its pending deliveries (Seam extension).", nil, endpointDeleteResponse{}, s.deleteEndpoint),
		r("POST "+one+"/rotate_secret", "Rotate the signing secret (Seam extension): the new one is returned this once; the previous one keeps signing for 24 hours.",
			noFields{}, endpointSecretResponse{}, s.rotateEndpointSecret),
		r("GET "+one+"/deliveries", "An endpoint's recent delivery attempts, newest first: outcome, HTTP status, latency (Seam extension).",
			nil, attemptsResponse{}, s.endpointDeliveries),
		r("POST "+one+"/replay", "Send past events to the endpoint again: one event_id, or the events from since until until (Seam extension).",
			webhooks.ReplayParams{}, replayResponse{}, s.replayEndpoint),
		r("GET /v1/events", "The project's events, oldest first: filters object_type, object_id, organization_id, event_type, since, until (RFC 3339); cursor pagination (Seam extension).",
			nil, eventsResponse{}, s.listEvents),
	}
}

type (
	endpointResponse struct {
		Endpoint webhooks.Endpoint `json:"endpoint"`
	}
	endpointSecretResponse struct {
		Endpoint      webhooks.Endpoint `json:"endpoint"`
		SigningSecret string            `json:"signing_secret"`
	}
	endpointsResponse struct {
		Endpoints []webhooks.Endpoint `json:"endpoints"`
	}
	endpointDeleteResponse struct {
		EndpointID string `json:"endpoint_id"`
	}
	attemptsResponse struct {
		Attempts []webhooks.Attempt `json:"attempts"`
	}
	replayResponse struct {
		Replayed int `json:"replayed"`
	}
	eventsResponse struct {
		Events     []events.Event `json:"events"`
		NextCursor *string        `json:"next_cursor"`
	}
)

func (s *Server) createEndpoint(r *http.Request) (int, any, error) {
	var in webhooks.Params
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	e, secret, err := s.webhooks.Create(r.Context(), projectFrom(r.Context()), in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, endpointSecretResponse{Endpoint: *e, SigningSecret: secret}, nil
}

func (s *Server) listEndpoints(r *http.Request) (int, any, error) {
	es, err := s.webhooks.List(r.Context(), projectFrom(r.Context()).ID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, endpointsResponse{Endpoints: es}, nil
}

func (s *Server) getEndpoint(r *http.Request) (int, any, error) {
	e, err := s.webhooks.Get(r.Context(), projectFrom(r.Context()).ID, r.PathValue("endpoint_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, endpointResponse{Endpoint: *e}, nil
}

func (s *Server) updateEndpoint(r *http.Request) (int, any, error) {
	var in webhooks.Params
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	e, err := s.webhooks.Update(r.Context(), projectFrom(r.Context()).ID, r.PathValue("endpoint_id"), in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, endpointResponse{Endpoint: *e}, nil
}

func (s *Server) deleteEndpoint(r *http.Request) (int, any, error) {
	id := r.PathValue("endpoint_id")
	if err := s.webhooks.Delete(r.Context(), projectFrom(r.Context()).ID, id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, endpointDeleteResponse{EndpointID: id}, nil
}

func (s *Server) rotateEndpointSecret(r *http.Request) (int, any, error) {
	if err := decodeJSON(r, &noFields{}); err != nil {
		return 0, nil, err
	}
	e, secret, err := s.webhooks.RotateSecret(r.Context(), projectFrom(r.Context()).ID, r.PathValue("endpoint_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, endpointSecretResponse{Endpoint: *e, SigningSecret: secret}, nil
}

func (s *Server) endpointDeliveries(r *http.Request) (int, any, error) {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return 0, nil, err
	}
	as, err := s.webhooks.Attempts(r.Context(), projectFrom(r.Context()).ID, r.PathValue("endpoint_id"), limit)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, attemptsResponse{Attempts: as}, nil
}

func (s *Server) replayEndpoint(r *http.Request) (int, any, error) {
	var in webhooks.ReplayParams
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	n, err := s.webhooks.Replay(r.Context(), projectFrom(r.Context()).ID, r.PathValue("endpoint_id"), in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, replayResponse{Replayed: n}, nil
}

func (s *Server) listEvents(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	limit, err := queryInt(r, "limit")
	if err != nil {
		return 0, nil, err
	}
	since, err := queryTime(r, "since")
	if err != nil {
		return 0, nil, err
	}
	until, err := queryTime(r, "until")
	if err != nil {
		return 0, nil, err
	}
	orgID := q.Get("organization_id")
	if orgID != "" {
		// The organization may be named by ID, slug or external ID, as in
		// every path; events keep its ID.
		o, err := s.orgs.Get(r.Context(), s.store, projectFrom(r.Context()).ID, orgID)
		if err != nil {
			return 0, nil, err
		}
		orgID = o.ID
	}
	evs, next, err := s.eventLog.List(r.Context(), projectFrom(r.Context()).ID, events.Query{
		ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), OrganizationID: orgID, EventType: q.Get("event_type"),
		Since: since, Until: until, Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	out := eventsResponse{Events: evs}
	if next != "" {
		out.NextCursor = &next
	}
	return http.StatusOK, out, nil
}

func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, apierr.BadRequest("invalid_"+name, name+" must be a positive integer.")
	}
	return n, nil
}

func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, apierr.BadRequest("invalid_"+name, name+" must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z.")
	}
	return t, nil
}
