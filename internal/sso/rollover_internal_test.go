package sso

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
)

// TestRolloverCap: at the cap of five, room for a newly published
// certificate is made by dropping an unpublished one (soonest to expire
// first), never a published one; expired ones go first of all; a document
// without a current certificate is refused and changes nothing.
func TestRolloverCap(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s := &Service{Now: func() time.Time { return now }, IDs: ids.Generator{Rand: rand.Reader}}
	k, err := keys.GenerateRSAKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// One key, several certificates: each has its own fingerprint.
	cert := func(days int) *x509.Certificate {
		c, _, err := keys.IssueSelfSigned(rand.Reader, k, keys.CertOptions{CommonName: fmt.Sprint(days), Organization: "IdP",
			NotBefore: now.Add(-400 * 24 * time.Hour), NotAfter: now.Add(time.Duration(days) * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	trust := func(certs ...*x509.Certificate) *samlConfig {
		cfg := &samlConfig{}
		for _, c := range certs {
			fp := keys.FingerprintSHA256(c)
			cfg.Verification = append(cfg.Verification, storedCert{ID: "cert-" + c.Subject.CommonName, Fingerprint: fp, ExpiresAt: c.NotAfter})
		}
		return cfg
	}
	held := func(cfg *samlConfig) string {
		out := ""
		for _, c := range cfg.Verification {
			out += c.ID + " "
		}
		return out
	}
	c10, c20, c30, c40, c50, c60, c365, expired := cert(10), cert(20), cert(30), cert(40), cert(50), cert(60), cert(365), cert(-1)

	t.Run("an unpublished certificate makes room", func(t *testing.T) {
		cfg := trust(c10, c20, c30, c40, c50)
		// The IdP publishes 20..50 and its new 365-day certificate: 10 is
		// no longer published and goes.
		added, removed, err := s.rollover(cfg, ids.Test, []*x509.Certificate{c20, c30, c40, c50, c365})
		if err != nil || len(added) != 1 || fmt.Sprint(removed) != "[cert-10]" || len(cfg.Verification) != 5 {
			t.Fatalf("added %v removed %v err %v: %s", added, removed, err, held(cfg))
		}
	})
	t.Run("published certificates are never dropped for room", func(t *testing.T) {
		cfg := trust(c10, c20, c30, c40, c50)
		added, removed, err := s.rollover(cfg, ids.Test, []*x509.Certificate{c10, c20, c30, c40, c50, c60, c365})
		if err != nil || len(added) != 0 || len(removed) != 0 || held(cfg) != "cert-10 cert-20 cert-30 cert-40 cert-50 " {
			t.Fatalf("added %v removed %v err %v: %s", added, removed, err, held(cfg))
		}
	})
	t.Run("expired certificates go first", func(t *testing.T) {
		cfg := trust(expired, c20, c30, c40, c50)
		added, removed, err := s.rollover(cfg, ids.Test, []*x509.Certificate{c20, c30, c40, c50, c365, c60})
		// The longest-lived new one is added; 60 finds no room (all published).
		if err != nil || len(added) != 1 || len(removed) != 1 || removed[0] != "cert--1" || len(cfg.Verification) != 5 {
			t.Fatalf("added %v removed %v err %v: %s", added, removed, err, held(cfg))
		}
	})
	t.Run("no current certificate: refused", func(t *testing.T) {
		cfg := trust(expired, c20)
		_, _, err := s.rollover(cfg, ids.Test, []*x509.Certificate{expired})
		if err == nil || held(cfg) != "cert--1 cert-20 " {
			t.Fatalf("err %v: %s", err, held(cfg))
		}
	})
}
