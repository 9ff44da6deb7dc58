package keys

import (
	"crypto/rand"
	"os"
	"testing"
	"time"
)

func BenchmarkSeal1KiB(b *testing.B) {
	s, err := NewSealer(testMasterKey(1), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	pt, aad := make([]byte, 1024), []byte("saml_keys/private_key/row")
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		if _, err := s.Seal(pt, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen1KiB(b *testing.B) {
	s, err := NewSealer(testMasterKey(1), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	aad := []byte("saml_keys/private_key/row")
	sealed, _ := s.Seal(make([]byte, 1024), aad)
	b.SetBytes(1024)
	for b.Loop() {
		if _, err := s.Open(sealed, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePKCS1PrivateKeyPEM2048(b *testing.B) {
	k, err := GenerateRSAKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	s := EncodePKCS1PrivateKeyPEM(k)
	for b.Loop() {
		if _, err := ParsePKCS1PrivateKeyPEM(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRejectOversizedKey is the cost an API client can impose per
// request with the largest key it may send.
func BenchmarkRejectOversizedKey(b *testing.B) {
	pemText, err := os.ReadFile("testdata/rsa-8704-test-only.pem")
	if err != nil {
		b.Fatal(err)
	}
	s := string(pemText)
	for b.Loop() {
		if _, err := ParsePKCS1PrivateKeyPEM(s); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkParseCertificatePEM(b *testing.B) {
	k, err := GenerateRSAKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	_, s, err := IssueSelfSigned(rand.Reader, k, CertOptions{CommonName: "idp", NotBefore: now, NotAfter: now.Add(time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ParseCertificatePEM(s); err != nil {
			b.Fatal(err)
		}
	}
}
