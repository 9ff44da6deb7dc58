package interop

import (
	"encoding/base64"
	"testing"

	"github.com/beevik/etree"
)

const nsDSig = "http://www.w3.org/2000/09/xmldsig#"

// responseShape reads a posted SAMLResponse (as the browser carried it) and
// says which elements carry an enveloped signature and whether the
// assertion is encrypted, so tests can prove which variant the IdP sent.
type responseShape struct {
	ResponseSigned  bool
	AssertionSigned bool // a plaintext Assertion with its own signature
	Encrypted       bool // an EncryptedAssertion and no plaintext Assertion
}

func shapeOf(t *testing.T, samlResponse string) responseShape {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(samlResponse)
	if err != nil {
		t.Fatalf("SAMLResponse is not base64: %v", err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatalf("SAMLResponse is not XML: %v", err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "Response" {
		t.Fatalf("SAMLResponse root is not a Response")
	}
	var s responseShape
	s.ResponseSigned = hasSignatureChild(root)
	for _, c := range root.ChildElements() {
		switch c.Tag {
		case "Assertion":
			s.AssertionSigned = hasSignatureChild(c)
		case "EncryptedAssertion":
			s.Encrypted = true
		}
	}
	if s.Encrypted && root.FindElement("./Assertion") != nil {
		s.Encrypted = false
	}
	return s
}

func hasSignatureChild(el *etree.Element) bool {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == nsDSig {
			return true
		}
	}
	return false
}

// lastACSPost returns the last form the browser posted that carried a
// SAMLResponse.
func lastACSPost(t *testing.T, b *Browser) *Form {
	t.Helper()
	for i := len(b.Forms) - 1; i >= 0; i-- {
		if b.Forms[i].Fields.Get("SAMLResponse") != "" {
			return b.Forms[i]
		}
	}
	t.Fatal("the browser posted no SAMLResponse")
	return nil
}

func decodeB64(t *testing.T, s string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
