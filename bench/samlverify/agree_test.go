package samlverify

import "testing"

// TestVerifiersAgree is what makes the benchmarks a fair comparison: on every
// benchmark fixture all three libraries accept and extract the same values,
// and on its tampered twins all three refuse. A benchmark that silently
// measured a failure path (a misconfigured library rejecting early) would be
// caught here, and each benchmark also refuses to start unless its library
// accepts its fixture.
func TestVerifiersAgree(t *testing.T) {
	k := mustKeys(t)
	v := newVerifiers(t, k)
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			good := makeFixture(t, k, sc, untampered)
			t.Logf("%d bytes of XML, %d attributes", good.xmlBytes, good.want.attributes)
			if good.xmlBytes < sc.target || good.xmlBytes > sc.target+sc.target/5 {
				t.Errorf("fixture is %d bytes of XML; want about %d", good.xmlBytes, sc.target)
			}
			bad := map[tamper]*fixture{
				forgedNameID:    makeFixture(t, k, sc, forgedNameID),
				untrustedSigner: makeFixture(t, k, sc, untrustedSigner),
			}
			for _, lib := range libraries() {
				t.Run(lib.name, func(t *testing.T) {
					got, err := lib.verify(v, good)
					if err != nil {
						t.Fatalf("rejects the untampered fixture: %v", err)
					}
					if got != good.want {
						t.Errorf("outcome = %+v; want %+v", got, good.want)
					}
					for tm, f := range bad {
						got, err := lib.verify(v, f)
						if err == nil {
							t.Errorf("%s: accepted (NameID %q)", tm, got.nameID)
							continue
						}
						t.Logf("%s: rejected: %v", tm, err)
					}
				})
			}
		})
	}
}
