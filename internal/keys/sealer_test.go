package keys

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

func testMasterKey(b byte) []byte { return bytes.Repeat([]byte{b}, MasterKeySize) }

func newTestSealer(t *testing.T, key []byte) *Sealer {
	t.Helper()
	s, err := NewSealer(key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSealerKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := NewSealer(make([]byte, n), rand.Reader); !errors.Is(err, ErrMasterKeySize) {
			t.Errorf("key of %d bytes: err = %v, want ErrMasterKeySize", n, err)
		}
	}
	if _, err := NewSealer(make([]byte, 32), nil); err == nil {
		t.Error("nil random source accepted")
	}
}

func TestSealRoundTrip(t *testing.T) {
	s := newTestSealer(t, testMasterKey(1))
	for _, tc := range []struct {
		name    string
		pt, aad []byte
	}{
		{"empty", nil, nil},
		{"secret", []byte("client-secret-123"), []byte("oidc_connections/client_secret/oidc-connection-test-1")},
		{"binary", []byte{0, 1, 2, 255}, []byte{9}},
		{"large", bytes.Repeat([]byte("k"), 64<<10), []byte("x")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sealed, err := s.Seal(tc.pt, tc.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(sealed, "v1.") {
				t.Fatalf("sealed value %q lacks version prefix", sealed[:8])
			}
			if len(tc.pt) > 4 && strings.Contains(sealed, string(tc.pt)) {
				t.Fatal("plaintext visible in sealed value")
			}
			got, err := s.Open(sealed, tc.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.pt) {
				t.Fatalf("round trip mismatch")
			}
		})
	}
}

func TestSealNoncesDiffer(t *testing.T) {
	s := newTestSealer(t, testMasterKey(1))
	a, _ := s.Seal([]byte("same"), nil)
	b, _ := s.Seal([]byte("same"), nil)
	if a == b {
		t.Fatal("two seals of the same plaintext are identical; nonce reuse")
	}
}

func TestSealNonceFromInjectedRandom(t *testing.T) {
	s, err := NewSealer(testMasterKey(1), bytes.NewReader(make([]byte, 12)))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, "v1."))
	if !bytes.Equal(raw[:12], make([]byte, 12)) {
		t.Fatal("nonce was not read from the injected random source")
	}
	if _, err := s.Seal([]byte("x"), nil); err == nil || !errors.Is(err, io.EOF) {
		t.Fatalf("exhausted random source: err = %v, want EOF", err)
	}
}

func TestOpenRejects(t *testing.T) {
	s := newTestSealer(t, testMasterKey(1))
	other := newTestSealer(t, testMasterKey(2))
	aad := []byte("saml_keys/private_key/row-1")
	sealed, err := s.Seal([]byte("-----BEGIN RSA PRIVATE KEY----- secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, "v1."))
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return "v1." + base64.RawURLEncoding.EncodeToString(b)
	}

	for _, tc := range []struct {
		name   string
		sealer *Sealer
		in     string
		aad    []byte
		want   error
	}{
		{"aad of another row", s, sealed, []byte("saml_keys/private_key/row-2"), ErrSealedAuth},
		{"missing aad", s, sealed, nil, ErrSealedAuth},
		{"wrong master key", other, sealed, aad, ErrSealedAuth},
		{"flipped nonce bit", s, flip(0), aad, ErrSealedAuth},
		{"flipped ciphertext bit", s, flip(14), aad, ErrSealedAuth},
		{"flipped tag bit", s, flip(len(raw) - 1), aad, ErrSealedAuth},
		{"truncated", s, sealed[:len(sealed)-4], aad, ErrSealedAuth},
		{"too short", s, "v1." + base64.RawURLEncoding.EncodeToString(raw[:27]), aad, ErrSealedFormat},
		{"empty", s, "", aad, ErrSealedFormat},
		{"no version", s, strings.TrimPrefix(sealed, "v1."), aad, ErrSealedFormat},
		{"unknown version", s, "v2." + strings.TrimPrefix(sealed, "v1."), aad, ErrSealedFormat},
		{"bad base64", s, "v1.!!!!" + sealed[7:], aad, ErrSealedFormat},
		{"padded base64", s, sealed + "=", aad, ErrSealedFormat},
		{"embedded newline", s, sealed[:10] + "\n" + sealed[10:], aad, ErrSealedFormat},
		{"oversized", s, "v1." + strings.Repeat("A", MaxSealedLen), aad, ErrSealedFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := tc.sealer.Open(tc.in, tc.aad)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if pt != nil {
				t.Fatal("plaintext returned with error")
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatal("error message contains plaintext")
			}
		})
	}
}

func TestSealerConcurrent(t *testing.T) {
	s := newTestSealer(t, testMasterKey(3))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pt := []byte{byte(i)}
			for range 100 {
				c, err := s.Seal(pt, pt)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := s.Open(c, pt)
				if err != nil || !bytes.Equal(got, pt) {
					t.Error("concurrent round trip failed", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzOpen(f *testing.F) {
	// A fixed nonce keeps "good" identical in every fuzz worker process.
	s, err := NewSealer(testMasterKey(1), bytes.NewReader(make([]byte, 12)))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := s.Seal([]byte("hello"), []byte("aad"))
	for _, seed := range []string{good, "", "v1.", "v1.AAAA", "v2.abc", good[:len(good)-1]} {
		f.Add(seed, []byte("aad"))
	}
	f.Fuzz(func(t *testing.T, in string, aad []byte) {
		pt, err := s.Open(in, aad)
		if err != nil {
			if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
			return
		}
		// Opening anything but the one genuine value would be a forgery.
		if in != good || string(aad) != "aad" || string(pt) != "hello" {
			t.Fatalf("forged value opened: %q", in)
		}
	})
}
