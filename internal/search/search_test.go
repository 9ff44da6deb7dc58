package search

import (
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
)

type row struct {
	at time.Time
	id string
}

func TestPageAndCursor(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	rows := []row{{base, "a"}, {base, "b"}, {base.Add(time.Second), "c"}}
	key := func(r row) (time.Time, string) { return r.at, r.id }
	page, next := Page(rows, 2, key)
	if len(page) != 2 || next == "" {
		t.Fatalf("page = %v next = %q", page, next)
	}
	c, err := Decode(next, "x_search")
	if err != nil || !c.CreatedAt.Equal(base) || c.ID != "b" {
		t.Fatalf("cursor = %+v %v", c, err)
	}
	if page, next := Page(rows, 3, key); len(page) != 3 || next != "" {
		t.Fatalf("last page = %v %q", page, next)
	}
	for _, bad := range []string{"!", "e30", "bm90IGpzb24"} {
		if _, err := Decode(bad, "x_search"); apierr.TypeOf(err) != "x_search_invalid_cursor" {
			t.Errorf("Decode(%q) = %v", bad, err)
		}
	}
}

func TestLimit(t *testing.T) {
	for in, want := range map[int]int{0: 100, 1: 1, 1000: 1000} {
		if got, err := Limit(in, "p"); err != nil || got != want {
			t.Errorf("Limit(%d) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []int{-1, 1001} {
		if _, err := Limit(bad, "p"); apierr.TypeOf(err) != "p_invalid_limit" {
			t.Errorf("Limit(%d) err = %v", bad, err)
		}
	}
}
