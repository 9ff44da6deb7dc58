package store

import "time"

// Keyset is the page a search reads: rows after (AfterCreated, AfterID) in
// (created_at, id) order, at most Limit of them. Every searchable
// resource's filter embeds it, so one search driver (package search) sets
// it and one query helper reads it.
type Keyset struct {
	AfterCreated time.Time // keyset cursor position; zero: the first page
	AfterID      string
	Limit        int
}
