package saml

import (
	"crypto/rsa"
	"fmt"
	"testing"

	"github.com/beevik/etree"

	"github.com/seamsso/seam/internal/saml/samltest"
)

// TestDecryptKeyTransportMatrix decrypts every OAEP digest and MGF1 hash
// combination of xmlenc11 rsa-oaep, and every OAEP digest of
// rsa-oaep-mgf1p, with both content-cipher families.
func TestDecryptKeyTransportMatrix(t *testing.T) {
	k := mustKeys(t)
	digests := []string{"", samltest.AlgSHA1, samltest.AlgSHA256, samltest.AlgSHA384, samltest.AlgSHA512}
	mgfs := []string{"", samltest.AlgMGF1SHA1, samltest.AlgMGF1SHA224, samltest.AlgMGF1SHA256, samltest.AlgMGF1SHA384, samltest.AlgMGF1SHA512}
	var cases []samltest.EncryptOptions
	for _, d := range digests {
		cases = append(cases, samltest.EncryptOptions{KeyTransport: samltest.AlgRSAOAEPMGF1P, OAEPDigest: d, Cipher: samltest.AlgAES256CBC})
		for _, m := range mgfs {
			cases = append(cases, samltest.EncryptOptions{KeyTransport: samltest.AlgRSAOAEP11, OAEPDigest: d, MGF: m, Cipher: samltest.AlgAES192GCM})
		}
	}
	for _, eo := range cases {
		t.Run(fmt.Sprintf("%s digest=%s mgf=%s", eo.KeyTransport, eo.OAEPDigest, eo.MGF), func(t *testing.T) {
			a := mustVerify(t, encodeDoc(t, encryptedDoc(t, k, true, true, eo, nil)), testTrust(k))
			if !a.Encrypted || a.NameID != testEmail {
				t.Errorf("%+v", a)
			}
		})
	}
}

func TestDecryptRejects(t *testing.T) {
	k := mustKeys(t)
	encrypted := func(edit func(enc *etree.Element)) func(testing.TB, *keys) []byte {
		return func(t testing.TB, k *keys) []byte {
			doc := encryptedDoc(t, k, true, false, samltest.EncryptOptions{}, nil)
			edit(samltest.ChildNamed(doc.Root(), "EncryptedAssertion"))
			return encodeDoc(t, doc)
		}
	}
	keyMethod := func(enc *etree.Element) *etree.Element {
		return findPath(enc, "EncryptedData", "KeyInfo", "EncryptedKey", "EncryptionMethod")
	}
	tests := []struct {
		name  string
		build func(testing.TB, *keys) []byte
	}{
		{"unknown MGF", func(t testing.TB, k *keys) []byte {
			return encodeDoc(t, encryptedDoc(t, k, true, false, samltest.EncryptOptions{KeyTransport: samltest.AlgRSAOAEP11, MGF: "urn:mgf:unknown"}, nil))
		}},
		{"MD5 OAEP digest", func(t testing.TB, k *keys) []byte {
			return encodeDoc(t, encryptedDoc(t, k, true, false, samltest.EncryptOptions{OAEPDigest: "http://www.w3.org/2001/04/xmldsig-more#md5"}, nil))
		}},
		{"unknown key transport", encrypted(func(enc *etree.Element) {
			keyMethod(enc).SelectAttr("Algorithm").Value = "http://www.w3.org/2001/04/xmlenc#kw-aes256"
		})},
		{"wrong OAEP digest declared", encrypted(func(enc *etree.Element) {
			dm := keyMethod(enc).CreateElement("ds:DigestMethod")
			dm.CreateAttr("xmlns:ds", samltest.NSDSig)
			dm.CreateAttr("Algorithm", samltest.AlgSHA256)
		})},
		{"two DigestMethods", encrypted(func(enc *etree.Element) {
			for range 2 {
				dm := keyMethod(enc).CreateElement("ds:DigestMethod")
				dm.CreateAttr("xmlns:ds", samltest.NSDSig)
				dm.CreateAttr("Algorithm", samltest.AlgSHA1)
			}
		})},
		{"wrong OAEP label", encrypted(func(enc *etree.Element) {
			keyMethod(enc).CreateElement("xenc:OAEPparams").SetText("bGFiZWw=")
		})},
		{"Type Content", encrypted(func(enc *etree.Element) {
			findPath(enc, "EncryptedData").SelectAttr("Type").Value = "http://www.w3.org/2001/04/xmlenc#Content"
		})},
		{"CipherReference", encrypted(func(enc *etree.Element) {
			cd := findPath(enc, "EncryptedData", "CipherData")
			cd.RemoveChildAt(0)
			cd.CreateElement("xenc:CipherReference").CreateAttr("URI", "https://evil.example/ct")
		})},
		{"two EncryptedData", encrypted(func(enc *etree.Element) {
			enc.AddChild(findPath(enc, "EncryptedData").Copy())
		})},
		{"no EncryptedKey", encrypted(func(enc *etree.Element) {
			ki := findPath(enc, "EncryptedData", "KeyInfo")
			ki.RemoveChild(samltest.ChildNamed(ki, "EncryptedKey"))
		})},
		{"five EncryptedKeys", encrypted(func(enc *etree.Element) {
			ki := findPath(enc, "EncryptedData", "KeyInfo")
			for range 4 {
				ki.AddChild(samltest.ChildNamed(ki, "EncryptedKey").Copy())
			}
		})},
		{"truncated GCM ciphertext", encrypted(func(enc *etree.Element) {
			findPath(enc, "EncryptedData", "CipherData", "CipherValue").SetText("AAAA")
		})},
		{"CipherValue not base64", encrypted(func(enc *etree.Element) {
			findPath(enc, "EncryptedData", "CipherData", "CipherValue").SetText("%%%")
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectReason(t, tc.build(t, k), testTrust(k), ReasonDecryptionFailed)
		})
	}
	t.Run("key transport is tried with every configured key", func(t *testing.T) {
		tr := testTrust(k)
		tr.DecryptionKeys = []*rsa.PrivateKey{k.sp2.RSA(), k.sp.RSA()}
		mustVerify(t, encodeDoc(t, encryptedDoc(t, k, true, false, samltest.EncryptOptions{}, nil)), tr)
	})
}
