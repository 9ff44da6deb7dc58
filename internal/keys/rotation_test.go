package keys

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func TestSealerRotation(t *testing.T) {
	oldKey, newKey, otherKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	old, err := NewSealer(oldKey, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := NewSealer(newKey, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	both, err := cur.WithPrevious(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	aad := []byte("table/column/row")
	underOld, _ := old.Seal([]byte("secret"), aad)
	underNew, _ := cur.Seal([]byte("secret"), aad)

	// Without the previous key, an old value does not open; with it, it does.
	if _, err := cur.Open(underOld, aad); !errors.Is(err, ErrSealedAuth) {
		t.Fatalf("current key alone opened the old value: %v", err)
	}
	if pt, err := both.Open(underOld, aad); err != nil || string(pt) != "secret" {
		t.Fatalf("with the previous key: %q %v", pt, err)
	}
	if both.IsCurrent(underOld, aad) || !both.IsCurrent(underNew, aad) || !both.HasPrevious() || cur.HasPrevious() {
		t.Fatal("IsCurrent/HasPrevious")
	}
	// The AAD still binds: the previous key does not open a moved value.
	if _, err := both.Open(underOld, []byte("other/row")); !errors.Is(err, ErrSealedAuth) {
		t.Fatalf("moved value opened: %v", err)
	}

	for _, tc := range []struct {
		name    string
		in      string
		changed bool
		err     error
	}{
		{"under the previous key: re-sealed", underOld, true, nil},
		{"under the current key: unchanged", underNew, false, nil},
		{"under no key: refused", mustSeal(t, otherKey, aad), false, ErrSealedAuth},
		{"not sealed: refused", "plain", false, ErrSealedFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, changed, err := both.Reseal(tc.in, aad)
			if !errors.Is(err, tc.err) || changed != tc.changed {
				t.Fatalf("Reseal = %v, %v; want %v, %v", changed, err, tc.changed, tc.err)
			}
			if err != nil {
				return
			}
			if !changed && out != tc.in {
				t.Error("an unchanged value was rewritten")
			}
			// The result opens under the new key alone.
			if pt, err := cur.Open(out, aad); err != nil || string(pt) != "secret" {
				t.Errorf("re-sealed value under the new key: %q %v", pt, err)
			}
		})
	}
	if _, err := cur.WithPrevious([]byte("short")); !errors.Is(err, ErrMasterKeySize) {
		t.Errorf("short previous key: %v", err)
	}
}

func mustSeal(t *testing.T, key, aad []byte) string {
	t.Helper()
	s, err := NewSealer(key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Seal([]byte("secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
