package keys

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestParseMasterKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(0xf0 + i%16) // forces '+' '/' vs '-' '_' differences
	}
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"std", base64.StdEncoding.EncodeToString(key), true},
		{"raw std", base64.RawStdEncoding.EncodeToString(key), true},
		{"url", base64.URLEncoding.EncodeToString(key), true},
		{"raw url", base64.RawURLEncoding.EncodeToString(key), true},
		{"whitespace", "  " + base64.StdEncoding.EncodeToString(key) + "\n", true},
		{"empty", "", false},
		{"spaces", "   ", false},
		{"16 bytes", base64.StdEncoding.EncodeToString(key[:16]), false},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 1)), false},
		{"not base64", "this is not base64 at all, not even close!!", false},
		{"hex", strings.Repeat("ab", 32), false},
		{"huge", strings.Repeat("A", 10000), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMasterKey(tc.in)
			if tc.ok {
				if err != nil || !bytes.Equal(got, key) {
					t.Fatalf("got %x, %v", got, err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if len(tc.in) > 8 && strings.Contains(err.Error(), tc.in) {
				t.Fatal("error echoes the input")
			}
		})
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seam.key")
	k1, created, err := LoadOrCreateKeyFile(path, rand.Reader)
	if err != nil || !created || len(k1) != 32 {
		t.Fatalf("first call: %x created=%v err=%v", k1, created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", st.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKeyFile(path, rand.Reader)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second call: created=%v err=%v same=%v", created, err, bytes.Equal(k1, k2))
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %d entries", len(entries))
	}
}

func TestLoadOrCreateKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyFile(bad, rand.Reader); err == nil {
		t.Error("garbage key file accepted")
	}
	if got, _ := os.ReadFile(bad); string(got) != "garbage\n" {
		t.Error("existing (bad) key file was overwritten")
	}
	big := filepath.Join(dir, "big.key")
	if err := os.WriteFile(big, bytes.Repeat([]byte("A"), 5000), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyFile(big, rand.Reader); err == nil {
		t.Error("oversized key file accepted")
	}
	if _, _, err := LoadOrCreateKeyFile(filepath.Join(dir, "missing-dir", "k"), rand.Reader); err == nil {
		t.Error("missing directory accepted")
	}
	short := filepath.Join(dir, "short.key")
	if _, _, err := LoadOrCreateKeyFile(short, bytes.NewReader(make([]byte, 5))); err == nil {
		t.Error("short random source accepted")
	}
	if _, err := os.Stat(short); !errors.Is(err, os.ErrNotExist) {
		t.Error("key file created despite random failure")
	}
}

// Racing creators must all end up with the one key that landed on disk.
func TestLoadOrCreateKeyFileRace(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "seam.key")
		const n = 8
		keys := make([][]byte, n)
		createdCount := make([]bool, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				k, c, err := LoadOrCreateKeyFile(path, rand.Reader)
				if err != nil {
					t.Error(err)
				}
				keys[i], createdCount[i] = k, c
			}()
		}
		close(start)
		wg.Wait()
		onDisk, err := readKeyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		creators := 0
		for i := range n {
			if !bytes.Equal(keys[i], onDisk) {
				t.Fatalf("round %d: goroutine %d got a key that is not the one on disk", round, i)
			}
			if createdCount[i] {
				creators++
			}
		}
		if creators != 1 {
			t.Fatalf("round %d: %d goroutines report creating the file, want 1", round, creators)
		}
	}
}
