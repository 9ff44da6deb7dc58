package keys

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestIssueSelfSigned(t *testing.T) {
	fx := newKeyFixtures(t)
	for _, tc := range []struct {
		name string
		key  crypto.Signer
		alg  x509.SignatureAlgorithm
	}{
		{"rsa", fx.rsa2048, x509.SHA256WithRSA},
		{"ecdsa", fx.ec, x509.ECDSAWithSHA256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := CertOptions{CommonName: "seam-saml-signing", Organization: "Seam", NotBefore: testNow, NotAfter: testNow.AddDate(10, 0, 0)}
			cert, pemStr, err := IssueSelfSigned(rand.Reader, tc.key, opts)
			if err != nil {
				t.Fatal(err)
			}
			if cert.SignatureAlgorithm != tc.alg {
				t.Errorf("signature algorithm %v, want %v", cert.SignatureAlgorithm, tc.alg)
			}
			if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
				t.Errorf("not self-signed: %v", err)
			}
			if cert.Subject.CommonName != "seam-saml-signing" || cert.Issuer.CommonName != "seam-saml-signing" {
				t.Errorf("subject/issuer CN = %q/%q", cert.Subject.CommonName, cert.Issuer.CommonName)
			}
			if len(cert.Issuer.Organization) != 1 || cert.Issuer.Organization[0] != "Seam" {
				t.Errorf("issuer organization = %v", cert.Issuer.Organization)
			}
			if !cert.NotBefore.Equal(testNow) || !cert.NotAfter.Equal(testNow.AddDate(10, 0, 0)) {
				t.Errorf("validity %v..%v", cert.NotBefore, cert.NotAfter)
			}
			if cert.IsCA {
				t.Error("issued a CA certificate")
			}
			if cert.SerialNumber.Sign() <= 0 || cert.SerialNumber.BitLen() > 127 {
				t.Errorf("serial %v out of range", cert.SerialNumber)
			}
			back, err := ParseCertificatePEM(pemStr)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Equal(cert) {
				t.Error("PEM does not round-trip")
			}
		})
	}
}

func TestIssueSelfSignedSerialFromRandom(t *testing.T) {
	fx := newKeyFixtures(t)
	opts := CertOptions{CommonName: "x", NotBefore: testNow, NotAfter: testNow.Add(time.Hour)}
	serial := bytes.Repeat([]byte{0xff}, 16)
	cert, _, err := IssueSelfSigned(bytes.NewReader(serial), fx.rsa2048, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := new(big.Int).SetBytes(append([]byte{0x7f}, serial[1:]...))
	if cert.SerialNumber.Cmp(want) != 0 {
		t.Fatalf("serial = %x, want %x", cert.SerialNumber, want)
	}
	zero, _, err := IssueSelfSigned(bytes.NewReader(make([]byte, 16)), fx.rsa2048, opts)
	if err != nil {
		t.Fatal(err)
	}
	if zero.SerialNumber.Sign() <= 0 {
		t.Fatal("zero serial not replaced by a positive one")
	}
}

func TestIssueSelfSignedRejects(t *testing.T) {
	fx := newKeyFixtures(t)
	ok := CertOptions{CommonName: "x", NotBefore: testNow, NotAfter: testNow.Add(time.Hour)}
	for _, tc := range []struct {
		name   string
		random []byte
		small  bool
		opts   CertOptions
	}{
		{"zero not-before", nil, false, CertOptions{NotAfter: testNow}},
		{"not-after before not-before", nil, false, CertOptions{NotBefore: testNow, NotAfter: testNow.Add(-time.Second)}},
		{"equal bounds", nil, false, CertOptions{NotBefore: testNow, NotAfter: testNow}},
		{"short random", []byte{1, 2, 3}, false, ok},
		{"1024-bit key", nil, true, ok},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := bytes.NewReader(tc.random)
			if tc.random == nil {
				r = bytes.NewReader(bytes.Repeat([]byte{7}, 64))
			}
			key := fx.rsa2048
			if tc.small {
				key = fx.rsa1024
			}
			if c, s, err := IssueSelfSigned(r, key, tc.opts); err == nil || c != nil || s != "" {
				t.Fatal("accepted")
			}
		})
	}
	if _, _, err := IssueSelfSigned(rand.Reader, nil, ok); err == nil {
		t.Fatal("nil key accepted")
	}
}

func TestParseCertificatePEM(t *testing.T) {
	fx := newKeyFixtures(t)
	cert, good, err := IssueSelfSigned(rand.Reader, fx.rsa2048, CertOptions{CommonName: "idp", NotBefore: testNow, NotAfter: testNow.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(cert.Raw)
	var wrapped strings.Builder // as in IdP metadata: 64-column lines, indented
	for i := 0; i < len(b64); i += 64 {
		wrapped.WriteString("\n        " + b64[i:min(i+64, len(b64))])
	}
	lines := strings.Split(strings.TrimSpace(good), "\n")

	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"pem", good, true},
		{"pem with whitespace", "\r\n  \t" + good + "  \n\n", true},
		{"pem crlf", strings.ReplaceAll(good, "\n", "\r\n"), true},
		{"bare base64", b64, true},
		{"bare base64 wrapped", wrapped.String() + "\n    ", true},
		{"bare base64 unpadded", strings.TrimRight(b64, "="), true},
		{"pem on one line, spaces", strings.Join(lines, " "), true},
		{"pem on one line, no separators", strings.Join(lines, ""), true},
		{"pem on one line, escaped newlines", strings.Join(lines, `\n`) + `\n`, true},
		{"pem on one line, escaped crlf", strings.Join(lines, `\r\n`), true},
		{"pem crlf on one line mixed", strings.Join(lines[:2], "\r\n") + " " + strings.Join(lines[2:], " "), true},

		{"empty", "", false},
		{"whitespace", " \n\t ", false},
		{"two certificates", good + good, false},
		{"cert then key", good + EncodePKCS1PrivateKeyPEM(fx.rsa2048), false},
		{"text before", "subject=CN=idp\n" + good, false},
		{"trailing text", good + "junk", false},
		{"private key", EncodePKCS1PrivateKeyPEM(fx.rsa2048), false},
		{"pem headers", pemString("CERTIFICATE", cert.Raw, map[string]string{"X": "y"}), false},
		{"truncated pem", strings.Join(lines[:len(lines)/2], "\n"), false},
		{"missing end", strings.Join(lines[:len(lines)-1], "\n"), false},
		{"truncated der in pem", pemString("CERTIFICATE", cert.Raw[:len(cert.Raw)-10], nil), false},
		{"der with trailing byte", pemString("CERTIFICATE", append(bytes.Clone(cert.Raw), 0), nil), false},
		{"truncated base64", b64[:len(b64)/2], false},
		{"garbage", "not a certificate", false},
		{"raw der", string(cert.Raw), false},
		{"base64 of garbage", base64.StdEncoding.EncodeToString([]byte("hello there, certificate")), false},
		{"oversized", good + strings.Repeat(" ", MaxCertificatePEMLen), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCertificatePEM(tc.in)
			if tc.ok {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if !got.Equal(cert) {
					t.Fatal("parsed certificate differs")
				}
				return
			}
			if !errors.Is(err, ErrCertificateInvalid) {
				t.Fatalf("err = %v, want ErrCertificateInvalid", err)
			}
			if got != nil {
				t.Fatal("certificate returned with error")
			}
			assertNoKeyMaterial(t, err.Error(), tc.in)
		})
	}
}

// Rejections of PEM text name what is wrong.
func TestParseCertificatePEMNamesTheProblem(t *testing.T) {
	fx := newKeyFixtures(t)
	_, good, err := IssueSelfSigned(rand.Reader, fx.rsa2048, CertOptions{CommonName: "idp", NotBefore: testNow, NotAfter: testNow.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(good), "\n")
	oneLine := strings.Join(lines, " ")
	for in, want := range map[string]string{
		strings.Join(lines[:len(lines)-1], "\n"):                   "no -----END CERTIFICATE----- line",
		strings.Join(lines[:len(lines)-1], " "):                    "no -----END CERTIFICATE----- line",
		oneLine + " trailing":                                      "unexpected text after -----END CERTIFICATE-----",
		strings.Replace(oneLine, lines[1], "!!!!", 1):              "is not base64",
		"-----BEGIN PUBLIC KEY----- AAAA -----END PUBLIC KEY-----": "not a CERTIFICATE",
		"-----BEGIN CERTIFICATE":                                   "expected -----BEGIN CERTIFICATE-----",
		good + good:                                                "exactly one certificate",
	} {
		_, err := ParseCertificatePEM(in)
		if !errors.Is(err, ErrCertificateInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40q...: err = %v, want it to say %q", in, err, want)
		}
	}
}

func TestFingerprintSHA256(t *testing.T) {
	fx := newKeyFixtures(t)
	cert, _, err := IssueSelfSigned(rand.Reader, fx.rsa2048, CertOptions{CommonName: "x", NotBefore: testNow, NotAfter: testNow.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	fp := FingerprintSHA256(cert)
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(fp) {
		t.Fatalf("fingerprint %q has the wrong shape", fp)
	}
	sum := sha256.Sum256(cert.Raw)
	if strings.ReplaceAll(fp, ":", "") != strings.ToUpper(hex.EncodeToString(sum[:])) {
		t.Fatal("fingerprint is not the SHA-256 of the DER")
	}
	// Known-answer check against a fixed input, independent of hex helpers.
	fixed := &x509.Certificate{Raw: []byte("abc")}
	const want = "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
	if got := FingerprintSHA256(fixed); got != want {
		t.Fatalf("FingerprintSHA256(sha256 of \"abc\") = %s", got)
	}
}

func FuzzParseCertificatePEM(f *testing.F) {
	fx := newKeyFixtures(f)
	cert, good, err := IssueSelfSigned(rand.Reader, fx.rsa2048, CertOptions{CommonName: "idp", Organization: "IdP", NotBefore: testNow, NotAfter: testNow.AddDate(1, 0, 0)})
	if err != nil {
		f.Fatal(err)
	}
	ecCert, ecPEM, err := IssueSelfSigned(rand.Reader, fx.ec, CertOptions{CommonName: "ec", NotBefore: testNow, NotAfter: testNow.AddDate(1, 0, 0)})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		good, ecPEM, good + good,
		base64.StdEncoding.EncodeToString(cert.Raw),
		base64.StdEncoding.EncodeToString(ecCert.Raw),
		good[:len(good)/2], "", "-----BEGIN CERTIFICATE-----", "MIIB",
		pemString("CERTIFICATE", []byte{0x30, 0x80, 0x00, 0x00}, nil),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCertificatePEM(in)
		if err != nil {
			if c != nil || !errors.Is(err, ErrCertificateInvalid) {
				t.Fatalf("bad rejection: cert=%v err=%v", c != nil, err)
			}
			return
		}
		back, err := ParseCertificatePEM(EncodeCertificatePEM(c))
		if err != nil || !back.Equal(c) {
			t.Fatalf("accepted certificate does not round-trip: %v", err)
		}
		_ = FingerprintSHA256(c)
	})
}
