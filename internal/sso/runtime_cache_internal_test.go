package sso

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/store"
)

func TestRuntimeKeyCoversEveryInput(t *testing.T) {
	base := store.Connection{ID: "conn-a", OrganizationID: "org-a", Config: []byte(`{"idp_entity_id":"x"}`)}
	k := runtimeKey(&base, "https://seam.example/cb")
	for _, tc := range []struct {
		name string
		c    store.Connection
		cb   string
	}{
		{"connection", store.Connection{ID: "conn-b", OrganizationID: "org-a", Config: base.Config}, "https://seam.example/cb"},
		{"organization", store.Connection{ID: "conn-a", OrganizationID: "org-b", Config: base.Config}, "https://seam.example/cb"},
		{"callback URL", base, "https://seam.example/cb2"},
		{"configuration", store.Connection{ID: "conn-a", OrganizationID: "org-a", Config: []byte(`{"idp_entity_id":"y"}`)}, "https://seam.example/cb"},
		// Parts are length-prefixed: moving bytes across a boundary is a
		// different key.
		{"boundary", store.Connection{ID: "conn-ao", OrganizationID: "rg-a", Config: base.Config}, "https://seam.example/cb"},
	} {
		if runtimeKey(&tc.c, tc.cb) == k {
			t.Errorf("%s: same key", tc.name)
		}
	}
	if runtimeKey(&base, "https://seam.example/cb") != k {
		t.Error("the key is not a function of its inputs")
	}
}

// TestSAMLRuntimeFromCache: a runtime built from the cache is what
// decoding gives, a changed configuration is decoded anew (never a stale
// certificate), and each caller gets slices of its own.
func TestSAMLRuntimeFromCache(t *testing.T) {
	now := time.Now()
	cert := func(cn string) *x509.Certificate {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := keys.IssueSelfSigned(rand.Reader, k, keys.CertOptions{CommonName: cn, Organization: "IdP", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	conn := func(c *x509.Certificate) *store.Connection {
		cfg := &samlConfig{IDPEntityID: "https://idp.example/" + c.Subject.CommonName, AltAudienceURI: "urn:alt",
			AttributeMapping: map[string]string{"email": "mail"},
			Verification:     []storedCert{{ID: "cert-" + c.Subject.CommonName, PEM: keys.EncodeCertificatePEM(c)}}}
		return &store.Connection{ID: "saml-connection-test-1", OrganizationID: "org-1", Kind: store.KindSAML, Config: cfg.encode()}
	}
	s := &Service{BaseURL: "https://seam.example"}
	one, two := cert("one"), cert("two")

	a, err := s.SAMLVerifyRuntime(conn(one))
	if err != nil {
		t.Fatal(err)
	}
	a.Audiences = append(a.Audiences[:1], "urn:mallory")
	a.Certificates[0] = two
	b, err := s.SAMLVerifyRuntime(conn(one))
	if err != nil {
		t.Fatal(err)
	}
	if s.runtimes.Len() != 1 {
		t.Fatalf("%d cache entries after two requests of one configuration", s.runtimes.Len())
	}
	if fmt.Sprint(b.Audiences) != "[https://seam.example/v1/b2b/sso/callback/saml-connection-test-1 urn:alt]" ||
		!b.Certificates[0].Equal(one) || b.IDPEntityID != "https://idp.example/one" || b.AttributeMapping["email"] != "mail" {
		t.Fatalf("second runtime = %+v", b)
	}
	c, err := s.SAMLVerifyRuntime(conn(two))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Certificates) != 1 || !c.Certificates[0].Equal(two) || c.IDPEntityID != "https://idp.example/two" {
		t.Fatalf("after the update: %+v", c)
	}
}

// TestUnsealKeyByContent: a sealed key is opened and parsed once and then
// taken from the cache; another sealed key (a rotation) is opened anew,
// and sealed bytes presented for another connection or key ID are opened
// with that AAD, so they fail as they did without the cache.
func TestUnsealKeyByContent(t *testing.T) {
	sealer, err := keys.NewSealer(bytes.Repeat([]byte{7}, keys.MasterKeySize), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Sealer: sealer}
	seal := func(connID, keyID string) (*rsa.PrivateKey, string) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := sealer.Seal([]byte(keys.EncodePKCS1PrivateKeyPEM(k)), sealAAD(connID, keyID))
		if err != nil {
			t.Fatal(err)
		}
		return k, sealed
	}
	one, sealedOne := seal("conn-a", "key-1")
	a, err := s.unsealKey("conn-a", "key-1", sealedOne)
	if err != nil || !a.Equal(one) {
		t.Fatalf("first unseal = %v", err)
	}
	b, err := s.unsealKey("conn-a", "key-1", sealedOne)
	if err != nil || b != a || s.privateKeys.Len() != 1 {
		t.Fatalf("second unseal: %v, same key %v, %d entries", err, b == a, s.privateKeys.Len())
	}
	two, sealedTwo := seal("conn-a", "key-2")
	if c, err := s.unsealKey("conn-a", "key-2", sealedTwo); err != nil || !c.Equal(two) {
		t.Fatalf("rotated key: %v", err)
	}
	if _, err := s.unsealKey("conn-b", "key-1", sealedOne); err == nil {
		t.Fatal("a key sealed for another connection was opened")
	}
	if _, err := s.unsealKey("conn-a", "key-2", sealedOne); err == nil {
		t.Fatal("a key sealed under another key ID was opened")
	}
}

// TestImplicitRolesReadsTheStoredKeys: ImplicitRoles decodes only the
// role keys of samlConfig and externalConfig; it must find what they store.
func TestImplicitRolesReadsTheStoredKeys(t *testing.T) {
	roles := []RoleAssignment{{RoleID: "admin"}}
	groups := []GroupRoleAssignment{{RoleID: "eng-role", Group: "eng"}}
	saml := &samlConfig{IDPEntityID: "https://idp.example", ConnectionRoles: roles, GroupRoles: groups}
	ext := &externalConfig{ConnectionRoles: roles, GroupRoles: groups}
	for _, c := range []*store.Connection{
		{ID: "saml-1", Kind: store.KindSAML, Config: saml.encode()},
		{ID: "ext-1", Kind: store.KindExternal, Config: ext.encode()},
	} {
		conn, grp, err := ImplicitRoles(c)
		if err != nil || fmt.Sprint(conn) != "[admin]" || fmt.Sprint(grp) != fmt.Sprint(groups) {
			t.Errorf("%s: %v %v %v", c.Kind, conn, grp, err)
		}
	}
	if conn, grp, err := ImplicitRoles(&store.Connection{Kind: store.KindOIDC, Config: []byte(`{"connection_roles":[{"role_id":"x"}]}`)}); conn != nil || grp != nil || err != nil {
		t.Errorf("OIDC: %v %v %v", conn, grp, err)
	}
}
