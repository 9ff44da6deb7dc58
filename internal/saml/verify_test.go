package saml

import (
	"testing"
)

func TestVerifySignedBoth(t *testing.T) {
	k := mustKeys(t)
	doc := makeDoc(t, testIDP(k.idp), goodOptions())
	a := mustVerify(t, encodeDoc(t, doc), testTrust(k))
	t.Logf("%+v", a)
}
