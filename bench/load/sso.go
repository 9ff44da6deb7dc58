package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// requireOrg returns the organization of the SSO scenarios.
func requireOrg(c *config) error {
	if err := requireSecret(c); err != nil {
		return err
	}
	if c.organization == "" {
		return errors.New("-organization is required")
	}
	return nil
}

func prepareSSOGet(_ context.Context, _ *http.Client, c *config) (requestFunc, error) {
	if err := requireOrg(c); err != nil {
		return nil, err
	}
	path := "/v1/b2b/sso/" + url.PathEscape(c.organization)
	return func(ctx context.Context, _ uint64) (*http.Request, error) {
		return newRequest(ctx, c, http.MethodGet, path, nil, true)
	}, nil
}

// prepareSSOUpdate creates a SAML connection in the organization; each
// request then sets its display_name (even seq) or idp_entity_id (odd seq),
// a partial update.
func prepareSSOUpdate(ctx context.Context, client *http.Client, c *config) (requestFunc, error) {
	if err := requireOrg(c); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]string{"display_name": "bench"})
	r, err := newRequest(ctx, c, http.MethodPost, "/v1/b2b/sso/saml/"+url.PathEscape(c.organization), body, true)
	if err != nil {
		return nil, err
	}
	resp, err := send(client, r)
	if err != nil {
		return nil, fmt.Errorf("create the SAML connection: %w", err)
	}
	var created struct {
		Connection struct {
			ID string `json:"connection_id"`
		} `json:"connection"`
	}
	if json.Unmarshal(resp, &created) != nil || created.Connection.ID == "" {
		return nil, errors.New("create the SAML connection: no connection_id in the answer")
	}
	c.connection = created.Connection.ID
	return func(ctx context.Context, seq uint64) (*http.Request, error) {
		return newRequest(ctx, c, http.MethodPut, samlConnPath(c), ssoUpdateBody(seq%2 == 0, fmt.Sprintf("s%d", seq)), true)
	}, nil
}

func samlConnPath(c *config) string {
	return "/v1/b2b/sso/saml/" + url.PathEscape(c.organization) + "/connections/" + url.PathEscape(c.connection)
}

// ssoUpdateBody sets one of two fields to a value naming its writer.
func ssoUpdateBody(display bool, v string) []byte {
	var b []byte
	if display {
		b, _ = json.Marshal(map[string]string{"display_name": "bench " + v})
	} else {
		b, _ = json.Marshal(map[string]string{"idp_entity_id": "https://idp.bench.example/" + v})
	}
	return b
}

// Lost-update probe size: probeWorkers writers, each making probeWrites
// sequential partial updates of its own field.
const (
	probeWorkers = 32
	probeWrites  = 10
)

// checkNoLostUpdate runs a bounded probe after the load: probeWorkers
// clients each make probeWrites partial updates in turn, the even ones of
// display_name and the odd ones of idp_entity_id, each value naming its
// writer and its count. Updates of one field must not undo the other's, so
// at the end each field must hold the last value of one of its writers; a
// read-modify-write race that wrote back a stale row would leave an earlier
// value (or the load phase's) in place.
func checkNoLostUpdate(ctx context.Context, client *http.Client, c *config) error {
	var wg sync.WaitGroup
	errs := make([]error, probeWorkers)
	for w := 0; w < probeWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < probeWrites; n++ {
				r, err := newRequest(ctx, c, http.MethodPut, samlConnPath(c), ssoUpdateBody(w%2 == 0, fmt.Sprintf("w%d-%d", w, n)), true)
				if err == nil {
					_, err = send(client, r)
				}
				if err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	r, err := newRequest(ctx, c, http.MethodGet, "/v1/b2b/sso/"+url.PathEscape(c.organization), nil, true)
	if err != nil {
		return err
	}
	resp, err := send(client, r)
	if err != nil {
		return err
	}
	var got struct {
		SAML []struct {
			ID          string `json:"connection_id"`
			DisplayName string `json:"display_name"`
			IdPEntityID string `json:"idp_entity_id"`
		} `json:"saml_connections"`
	}
	if err := json.Unmarshal(resp, &got); err != nil {
		return err
	}
	for _, s := range got.SAML {
		if s.ID != c.connection {
			continue
		}
		return lastWrites(s.DisplayName, s.IdPEntityID)
	}
	return errors.New("the connection is gone")
}

// lastWrites checks the final field values of the probe.
func lastWrites(display, entity string) error {
	last := fmt.Sprintf("-%d", probeWrites-1)
	d, okD := strings.CutPrefix(display, "bench w")
	e, okE := strings.CutPrefix(entity, "https://idp.bench.example/w")
	var bad []string
	if !okD || !strings.HasSuffix(d, last) || !writerParity(d, 0) {
		bad = append(bad, fmt.Sprintf("display_name %q is not a display writer's last value", display))
	}
	if !okE || !strings.HasSuffix(e, last) || !writerParity(e, 1) {
		bad = append(bad, fmt.Sprintf("idp_entity_id %q is not an entity writer's last value", entity))
	}
	if bad != nil {
		return errors.New("lost update: " + strings.Join(bad, "; "))
	}
	return nil
}

// writerParity reports whether "<w>-<n>" names a writer w with w%2 == p.
func writerParity(v string, p int) bool {
	var w, n int
	if _, err := fmt.Sscanf(v, "%d-%d", &w, &n); err != nil {
		return false
	}
	return w >= 0 && w < probeWorkers && w%2 == p
}
