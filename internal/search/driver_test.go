package search

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// toyFilter is a store filter of a toy resource for the driver's tests.
type toyFilter struct {
	store.Keyset
	Names []string
	Flag  *bool
	Any   bool
}

type toyRow struct {
	at time.Time
	id string
}

func toyResource(or bool) *Resource[toyRow, toyFilter] {
	res := &Resource[toyRow, toyFilter]{
		Prefix: "toy_search",
		Filters: []Filter[toyFilter]{
			{Name: "names", Shape: List, Apply: func(f *toyFilter, v Value) { f.Names = append(f.Names, v.Strings...) }},
			{Name: "name_fuzzy", Shape: String, Once: true, Apply: func(f *toyFilter, v Value) { f.Names = append(f.Names, v.Strings...) }},
			{Name: "flag", Shape: Bool, Apply: func(f *toyFilter, v Value) { f.Flag = &v.Bool }},
			{Name: "either", Shape: StringOrList, Apply: func(f *toyFilter, v Value) { f.Names = append(f.Names, v.Strings...) }},
		},
		MaxOperands: 3,
		Keyset:      func(f *toyFilter) *store.Keyset { return &f.Keyset },
		Key:         func(r toyRow) (time.Time, string) { return r.at, r.id },
	}
	if or {
		res.Or = func(f *toyFilter) { f.Any = true }
	}
	return res
}

func TestResourceApply(t *testing.T) {
	cases := []struct {
		name     string
		or       bool
		query    string
		wantType string
		wantMsg  string
		check    func(f toyFilter) bool
	}{
		{"empty AND", false, `{"operator":"AND","operands":[]}`, "", "", func(f toyFilter) bool { return !f.Any && f.Names == nil }},
		{"OR where the resource combines with OR", true, `{"operator":"or","operands":[{"filter_name":"names","filter_value":["a"]},{"filter_name":"flag","filter_value":true}]}`, "", "",
			func(f toyFilter) bool { return f.Any && slices.Equal(f.Names, []string{"a"}) && *f.Flag }},
		{"OR with one operand where OR is not taken", false, `{"operator":"OR","operands":[{"filter_name":"names","filter_value":["a"]}]}`, "", "",
			func(f toyFilter) bool { return !f.Any && slices.Equal(f.Names, []string{"a"}) }},
		{"OR with two operands where OR is not taken", false, `{"operator":"OR","operands":[{"filter_name":"names","filter_value":["a"]},{"filter_name":"names","filter_value":["b"]}]}`,
			"toy_search_invalid_operator", "query.operator OR is deprecated by Stytch and supported here only with a single operand; use AND.", nil},
		{"unknown operator", true, `{"operator":"NOT"}`, "toy_search_invalid_operator", "query.operator must be AND or OR.", nil},
		{"too many operands", true, `{"operands":[{"filter_name":"flag","filter_value":true},{"filter_name":"flag","filter_value":true},{"filter_name":"flag","filter_value":true},{"filter_name":"flag","filter_value":true}]}`,
			"toy_search_too_many_operands", "query.operands may hold at most 3 filters.", nil},
		{"unknown filter, named with the supported ones in order", true, `{"operands":[{"filter_name":"nope","filter_value":5}]}`,
			"toy_search_invalid_filter_name", `Unsupported filter_name "nope"; supported: names, name_fuzzy, flag, either.`, nil},
		{"list given a string", true, `{"operands":[{"filter_name":"names","filter_value":"a"}]}`,
			"toy_search_invalid_filter_value", `filter_value of "names" must be a non-empty list of strings.`, nil},
		{"empty list", true, `{"operands":[{"filter_name":"names","filter_value":[]}]}`, "toy_search_invalid_filter_value", "", nil},
		{"string given a list", true, `{"operands":[{"filter_name":"name_fuzzy","filter_value":["a"]}]}`,
			"toy_search_invalid_filter_value", `filter_value of "name_fuzzy" must be a non-empty string.`, nil},
		{"string too long", true, `{"operands":[{"filter_name":"name_fuzzy","filter_value":"` + longString(MaxFuzzyLength+1) + `"}]}`,
			"toy_search_invalid_filter_value", "", nil},
		{"bool given a string", true, `{"operands":[{"filter_name":"flag","filter_value":"true"}]}`,
			"toy_search_invalid_filter_value", `filter_value of "flag" must be a boolean.`, nil},
		{"string or list: a string", true, `{"operands":[{"filter_name":"either","filter_value":"x"}]}`, "", "", func(f toyFilter) bool { return slices.Equal(f.Names, []string{"x"}) }},
		{"string or list: a list", true, `{"operands":[{"filter_name":"either","filter_value":["x","y"]}]}`, "", "", func(f toyFilter) bool { return slices.Equal(f.Names, []string{"x", "y"}) }},
		{"string or list: a number", true, `{"operands":[{"filter_name":"either","filter_value":5}]}`,
			"toy_search_invalid_filter_value", `filter_value of "either" must be a string or a list of strings.`, nil},
		{"string or list: empty", true, `{"operands":[{"filter_name":"either","filter_value":[]}]}`,
			"toy_search_invalid_filter_value", `filter_value of "either" must not be empty.`, nil},
		{"a filter declared once, twice", true, `{"operands":[{"filter_name":"name_fuzzy","filter_value":"a"},{"filter_name":"name_fuzzy","filter_value":"b"}]}`,
			"toy_search_duplicate_filter", "name_fuzzy may appear once.", nil},
	}
	for _, c := range cases {
		var q Query
		if err := json.Unmarshal([]byte(c.query), &q); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var f toyFilter
		res := toyResource(c.or)
		err := res.Apply(&f, &q)
		if err != nil && !slices.Contains(res.ErrorTypes(), apierr.TypeOf(err)) {
			t.Errorf("%s: %s is not among ErrorTypes %v", c.name, apierr.TypeOf(err), res.ErrorTypes())
		}
		if apierr.TypeOf(err) != c.wantType || (c.wantMsg != "" && apierr.As(err).Message != c.wantMsg) {
			t.Errorf("%s: error %v, want %s: %s", c.name, err, c.wantType, c.wantMsg)
			continue
		}
		if c.check != nil && !c.check(f) {
			t.Errorf("%s: filter %+v", c.name, f)
		}
	}
}

func longString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}

// TestRun: the driver reads limit+1 rows after the cursor with one query,
// cuts the page and hands out the next cursor; refusals come before the
// query, and a store failure is an internal error.
func TestRun(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var all []toyRow
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		all = append(all, toyRow{base.Add(time.Duration(i) * time.Second), id})
	}
	var queries []toyFilter
	fetch := func(_ context.Context, f toyFilter) ([]toyRow, int, error) {
		queries = append(queries, f)
		var out []toyRow
		for _, r := range all {
			if r.at.After(f.AfterCreated) || (r.at.Equal(f.AfterCreated) && r.id > f.AfterID) {
				out = append(out, r)
			}
		}
		if len(out) > f.Limit {
			out = out[:f.Limit]
		}
		return out, len(all), nil
	}
	res := toyResource(true)
	var seen []string
	cursor := ""
	for page := 0; ; page++ {
		got, err := Run(context.Background(), res, Request{Limit: 2, Cursor: cursor, Query: &Query{Operands: []Operand{{FilterName: "flag", FilterValue: json.RawMessage(`true`)}}}},
			toyFilter{Names: []string{"kept"}}, fetch)
		if err != nil || got.Total != 5 {
			t.Fatalf("page %d: %+v %v", page, got, err)
		}
		q := queries[len(queries)-1]
		if q.Limit != 3 || q.Flag == nil || !*q.Flag || !slices.Equal(q.Names, []string{"kept"}) {
			t.Fatalf("page %d queried %+v", page, q)
		}
		for _, r := range got.Items {
			seen = append(seen, r.id)
		}
		if got.NextCursor == "" {
			break
		}
		cursor = got.NextCursor
	}
	if !slices.Equal(seen, []string{"a", "b", "c", "d", "e"}) || len(queries) != 3 {
		t.Fatalf("pages gave %v in %d queries", seen, len(queries))
	}
	queries = nil
	for _, req := range []Request{{Limit: -1}, {Cursor: "!"}, {Query: &Query{Operator: "XOR"}}} {
		if _, err := Run(context.Background(), res, req, toyFilter{}, fetch); apierr.As(err).Status != 400 || !slices.Contains(res.ErrorTypes(), apierr.TypeOf(err)) {
			t.Errorf("%+v: %v", req, err)
		}
	}
	if len(queries) != 0 {
		t.Errorf("a refused search queried the store %d times", len(queries))
	}
	failing := func(context.Context, toyFilter) ([]toyRow, int, error) { return nil, 0, errors.New("down") }
	if _, err := Run(context.Background(), res, Request{}, toyFilter{}, failing); apierr.TypeOf(err) != "internal_server_error" {
		t.Errorf("store failure: %v", err)
	}
}

func TestErrorTypesFollowTheDeclaration(t *testing.T) {
	res := toyResource(false)
	if got := res.ErrorTypes(); !slices.Contains(got, "toy_search_too_many_operands") || !slices.Contains(got, "toy_search_duplicate_filter") {
		t.Errorf("ErrorTypes = %v", got)
	}
	res.MaxOperands = 0
	res.Filters = res.Filters[:1]
	if got := res.ErrorTypes(); slices.Contains(got, "toy_search_too_many_operands") || slices.Contains(got, "toy_search_duplicate_filter") || len(got) != 5 {
		t.Errorf("without an operand bound or a once-only filter: %v", got)
	}
}
