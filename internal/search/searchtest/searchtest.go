// Package searchtest checks a search resource's declaration (package
// search) against query cases, for the resources' own table tests.
package searchtest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/search"
)

// Check applies query to a zero filter. A refusal must be of wantType and
// among the resource's ErrorTypes (what /openapi.json lists for the search
// route); "" wants the query accepted, and then check (when not nil) must
// hold for the filter.
func Check[T, F any](t *testing.T, res *search.Resource[T, F], query, wantType string, check func(f F) bool) {
	t.Helper()
	var q search.Query
	if err := json.Unmarshal([]byte(query), &q); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var f F
	err := res.Apply(&f, &q)
	switch {
	case apierr.TypeOf(err) != wantType:
		t.Errorf("%s: error %v, want %q", query, err, wantType)
	case err != nil && !slices.Contains(res.ErrorTypes(), wantType):
		t.Errorf("%s: %s is not among the resource's ErrorTypes %v", query, wantType, res.ErrorTypes())
	case err == nil && check != nil && !check(f):
		t.Errorf("%s: filter %+v", query, f)
	}
}
