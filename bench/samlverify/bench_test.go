package samlverify

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
	"time"
)

// BenchmarkVerify runs every library on every scenario's fixture. Names are
// Verify/scenario=<s>/lib=<l> so that `benchstat -row /scenario -col /lib`
// lines the libraries up against Seam.
func BenchmarkVerify(b *testing.B) {
	k := mustKeys(b)
	v := newVerifiers(b, k)
	for _, sc := range scenarios() {
		b.Run("scenario="+sc.name, func(b *testing.B) {
			for _, lib := range libraries() {
				b.Run("lib="+lib.name, func(b *testing.B) {
					// Fresh per run: crewjam refuses responses issued more
					// than 90 s ago, and a -count 6 run takes longer.
					f := makeFixture(b, k, sc, untampered)
					if got, err := lib.verify(v, f); err != nil || got != f.want {
						b.Fatalf("does not accept the fixture: %+v, %v", got, err)
					}
					b.ReportAllocs()
					cpu := startCPU()
					for b.Loop() {
						if _, err := lib.verify(v, f); err != nil {
							b.Fatal(err)
						}
					}
					cpu.report(b)
					// After the loop: b.Loop's start resets user metrics.
					b.ReportMetric(float64(f.xmlBytes), "xml-bytes")
				})
			}
		})
	}
}

// BenchmarkRSA2048 is the floor under the verifiers: the one RSA operation
// each signature (PKCS#1 v1.5 verify with SHA-256) or encrypted assertion
// (OAEP key unwrap with the private key) cannot avoid.
func BenchmarkRSA2048(b *testing.B) {
	k := mustKeys(b)
	idp, sp := k.idp.RSA(), k.sp.RSA()
	digest := sha256.Sum256([]byte("<ds:SignedInfo>stand-in for a canonical SignedInfo</ds:SignedInfo>"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, idp, crypto.SHA256, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	b.Run("op=pkcs1v15-sha256-verify", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			if err := rsa.VerifyPKCS1v15(&idp.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report(b)
	})
	// Not a verifier cost: the session JWT (RS256) that Seam signs on every
	// session authenticate, for reading the load-generator results.
	b.Run("op=pkcs1v15-sha256-sign", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			if _, err := rsa.SignPKCS1v15(nil, idp, crypto.SHA256, digest[:]); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report(b)
	})
	cek := make([]byte, 16)
	wrapped, err := rsa.EncryptOAEP(crypto.SHA1.New(), rand.Reader, &sp.PublicKey, cek, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("op=oaep-sha1-decrypt", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			if _, err := rsa.DecryptOAEP(crypto.SHA1.New(), nil, sp, wrapped, nil); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report(b)
	})
}

// cpuClock measures the process CPU time of a benchmark loop.
type cpuClock struct {
	start time.Duration
	ok    bool
}

func startCPU() cpuClock {
	t, ok := processCPU()
	return cpuClock{start: t, ok: ok}
}

// report adds cpu-ns/op: process CPU time (all threads, so concurrent GC
// work counts) divided by the iterations b.Loop ran. Other jobs on the
// machine inflate ns/op (waiting for a core) far more than this.
func (c cpuClock) report(b *testing.B) {
	end, ok := processCPU()
	if !c.ok || !ok || b.N == 0 {
		return
	}
	b.ReportMetric(float64(end-c.start)/float64(b.N), "cpu-ns/op")
}
