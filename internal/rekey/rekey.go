// Package rekey re-seals every value sealed under a previous master key
// under the current one (`seam keys rotate`). Each domain declares its
// sealed columns (what associated data a value was sealed with, or how to
// re-seal the values inside a JSON document); the Rotator pages through
// every column in batches and writes each changed row with a
// compare-and-swap, so it is idempotent, resumable after an interruption,
// and safe while replicas serve and write.
package rekey

import (
	"context"
	"fmt"

	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/store"
)

// Func re-seals one sealed value bound to aad: unchanged (false) when the
// current key already opens it.
type Func func(sealed string, aad []byte) (string, bool, error)

// Column is one sealed column and how to re-seal a row of it: either AAD
// (the value is one sealed string) or Rewrite (the value is a document
// holding sealed strings).
type Column struct {
	Column  store.SealedColumn
	AAD     func(row store.SealedRow) []byte
	Rewrite func(row store.SealedRow, reseal Func) (string, bool, error)
}

// Result is what one column's pass found and did.
type Result struct {
	Column store.SealedColumn `json:"column"`
	// Rows is how many rows hold a value; Resealed how many were rewritten
	// under the current key (with Check: how many need it).
	Rows     int `json:"rows"`
	Resealed int `json:"resealed"`
	// Raced counts rows rewritten by a replica between read and write: the
	// replica sealed them under its current key, so a later pass (or
	// Check) finds them current.
	Raced int `json:"raced"`
}

// Rotator re-seals every declared column.
type Rotator struct {
	Store   store.Store
	Sealer  *keys.Sealer
	Columns []Column
	// Batch is the page size (500 if 0).
	Batch int
}

// Run re-seals every column, or with check only counts the rows that need
// it (nothing is written). A value that neither the current nor a previous
// key opens stops the run with an error naming its column and row: it is
// never overwritten.
func (r *Rotator) Run(ctx context.Context, check bool) ([]Result, error) {
	declared := map[store.SealedColumn]Column{}
	for _, c := range r.Columns {
		declared[c.Column] = c
	}
	var out []Result
	for _, col := range store.SealedColumns() {
		c, ok := declared[col]
		if !ok {
			return out, fmt.Errorf("rekey: sealed column %s has no re-seal declaration", col)
		}
		res, err := r.column(ctx, c, check)
		out = append(out, res)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func (r *Rotator) column(ctx context.Context, c Column, check bool) (Result, error) {
	res := Result{Column: c.Column}
	batch := r.Batch
	if batch <= 0 {
		batch = 500
	}
	reseal := Func(r.Sealer.Reseal)
	if check {
		reseal = func(sealed string, aad []byte) (string, bool, error) {
			if _, err := r.Sealer.Open(sealed, aad); err != nil {
				return "", false, err
			}
			return sealed, !r.Sealer.IsCurrent(sealed, aad), nil
		}
	}
	after := ""
	for {
		rows, err := r.Store.ListSealed(ctx, c.Column, after, batch)
		if err != nil {
			return res, err
		}
		if len(rows) == 0 {
			return res, nil
		}
		for _, row := range rows {
			res.Rows++
			var next string
			var changed bool
			if c.Rewrite != nil {
				next, changed, err = c.Rewrite(row, reseal)
			} else {
				next, changed, err = reseal(row.Value, c.AAD(row))
			}
			if err != nil {
				return res, fmt.Errorf("rekey: %s row %s: %w (neither SEAM_SECRET_KEY nor SEAM_SECRET_KEY_PREVIOUS opens it)", c.Column, row.Key, err)
			}
			if !changed {
				continue
			}
			if check {
				res.Resealed++
				continue
			}
			ok, err := r.Store.ReplaceSealed(ctx, c.Column, row.Key, row.Value, next)
			if err != nil {
				return res, err
			}
			if ok {
				res.Resealed++
			} else {
				res.Raced++
			}
		}
		after = rows[len(rows)-1].Key
	}
}
