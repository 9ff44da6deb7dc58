package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
)

// keyFixtures builds each kind of key input once per test binary run; RSA
// generation dominates the package's test time otherwise.
type keyFixtures struct {
	rsa2048, rsa1024 *rsa.PrivateKey
	ec               *ecdsa.PrivateKey
}

func newKeyFixtures(t testing.TB) keyFixtures {
	t.Helper()
	k2048, err := GenerateRSAKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keyFixtures{rsa2048: k2048, rsa1024: k1024, ec: ec}
}

func pemString(typ string, der []byte, headers map[string]string) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: der}))
}

func TestGenerateRSAKeyBounds(t *testing.T) {
	for _, bits := range []int{0, 512, 1024, 2047, 8193, 16384} {
		if _, err := GenerateRSAKey(rand.Reader, bits); err == nil {
			t.Errorf("%d bits accepted", bits)
		}
	}
}

func TestParsePKCS1PrivateKeyPEM(t *testing.T) {
	fx := newKeyFixtures(t)
	good := EncodePKCS1PrivateKeyPEM(fx.rsa2048)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(fx.rsa2048)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(fx.ec)
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // legacy encrypted PEM is exactly what must be refused
	encBlock, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(fx.rsa2048), []byte("pw"), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	oversize, err := os.ReadFile("testdata/rsa-8704-test-only.pem")
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PrivateKey(fx.rsa2048)
	corrupt := append([]byte(nil), pkcs1...)
	corrupt[len(corrupt)/2] ^= 0xff
	lines := strings.Split(strings.TrimSpace(good), "\n")

	for _, tc := range []struct {
		name string
		in   string
		want error // nil: accepted
	}{
		{"pkcs1 2048", good, nil},
		{"surrounding whitespace", "\n\t  " + good + "\n\n ", nil},
		{"crlf line endings", strings.ReplaceAll(good, "\n", "\r\n"), nil},

		{"pkcs8", pemString("PRIVATE KEY", pkcs8, nil), ErrKeyFormatNotSupported},
		{"ec private key", pemString("EC PRIVATE KEY", ecDER, nil), ErrKeyFormatNotSupported},
		{"pkcs8 under rsa header", pemString("RSA PRIVATE KEY", pkcs8, nil), ErrKeyFormatNotSupported},
		{"ec under rsa header", pemString("RSA PRIVATE KEY", ecDER, nil), ErrKeyFormatNotSupported},
		{"encrypted pem", string(pem.EncodeToMemory(encBlock)), ErrKeyFormatNotSupported},
		{"openssh", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", ErrKeyFormatNotSupported},
		{"certificate", pemString("CERTIFICATE", []byte{0x30, 0}, nil), ErrKeyFormatNotSupported},
		{"public key", pemString("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&fx.rsa2048.PublicKey), nil), ErrKeyFormatNotSupported},
		{"bare base64 der", strings.Join(lines[1:len(lines)-1], "\n"), ErrKeyFormatNotSupported},
		{"raw der", string(pkcs1), ErrKeyFormatNotSupported},
		{"garbage", "hello world", ErrKeyFormatNotSupported},
		{"empty", "", ErrKeyFormatNotSupported},
		{"text before block", "key:\n" + good, ErrKeyFormatNotSupported},

		{"two blocks", good + good, ErrKeyInvalid},
		{"rsa then pkcs8", good + pemString("PRIVATE KEY", pkcs8, nil), ErrKeyInvalid},
		{"trailing text", good + "trailing", ErrKeyInvalid},
		{"truncated body", strings.Join(lines[:len(lines)/2], "\n"), ErrKeyInvalid},
		{"missing end line", strings.Join(lines[:len(lines)-1], "\n"), ErrKeyInvalid},
		{"header only", pkcs1Header, ErrKeyInvalid},
		{"corrupted der", pemString("RSA PRIVATE KEY", corrupt, nil), ErrKeyInvalid},
		{"truncated der", pemString("RSA PRIVATE KEY", pkcs1[:len(pkcs1)-40], nil), ErrKeyInvalid},
		{"empty der", pemString("RSA PRIVATE KEY", nil, nil), ErrKeyInvalid},
		{"1024-bit key", EncodePKCS1PrivateKeyPEM(fx.rsa1024), ErrKeyInvalid},
		{"8704-bit key", string(oversize), ErrKeyInvalid},
		{"bad base64 in body", strings.Replace(good, lines[3], strings.Repeat("!", len(lines[3])), 1), ErrKeyInvalid},

		{"over 16 KiB", good + strings.Repeat(" ", MaxPrivateKeyPEMLen), ErrKeyTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePKCS1PrivateKeyPEM(tc.in)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if !k.Equal(fx.rsa2048) {
					t.Fatal("parsed key differs from the encoded one")
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if k != nil {
				t.Fatal("key returned with error")
			}
			// The two sentinels are distinct classes; never both.
			if errors.Is(err, ErrKeyInvalid) && errors.Is(err, ErrKeyFormatNotSupported) {
				t.Fatal("error matches both sentinels")
			}
			assertNoKeyMaterial(t, err.Error(), tc.in)
		})
	}
}

// assertNoKeyMaterial fails when msg contains any base64 line of the input.
func assertNoKeyMaterial(t *testing.T, msg, input string) {
	t.Helper()
	for _, line := range strings.Split(input, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line) {
			t.Fatalf("error message contains input material: %q", msg)
		}
	}
}

func TestEncodePKCS1RoundTrip(t *testing.T) {
	k, err := GenerateRSAKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	s := EncodePKCS1PrivateKeyPEM(k)
	if !strings.HasPrefix(s, "-----BEGIN RSA PRIVATE KEY-----\n") {
		t.Fatalf("unexpected header: %.40q", s)
	}
	got, err := ParsePKCS1PrivateKeyPEM(s)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(k) || got.N.BitLen() != 3072 {
		t.Fatal("round trip changed the key")
	}
}

func FuzzParsePKCS1PrivateKeyPEM(f *testing.F) {
	fx := newKeyFixtures(f)
	good := EncodePKCS1PrivateKeyPEM(fx.rsa2048)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(fx.rsa2048)
	ecDER, _ := x509.MarshalECPrivateKey(fx.ec)
	for _, seed := range []string{
		good,
		good + good,
		good[:len(good)/2],
		EncodePKCS1PrivateKeyPEM(fx.rsa1024),
		pemString("PRIVATE KEY", pkcs8, nil),
		pemString("RSA PRIVATE KEY", pkcs8, nil),
		pemString("EC PRIVATE KEY", ecDER, nil),
		pemString("RSA PRIVATE KEY", ecDER, nil),
		pemString("RSA PRIVATE KEY", []byte{0x30, 0x03, 0x02, 0x01, 0x00}, nil),
		pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(fx.rsa2048), map[string]string{"Proc-Type": "4,ENCRYPTED"}),
		pkcs1Header + "\n\n-----END RSA PRIVATE KEY-----",
		"",
		"-----BEGIN",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		k, err := ParsePKCS1PrivateKeyPEM(in)
		if err != nil {
			if k != nil {
				t.Fatal("key returned with error")
			}
			if !errors.Is(err, ErrKeyInvalid) && !errors.Is(err, ErrKeyFormatNotSupported) && !errors.Is(err, ErrKeyTooLong) {
				t.Fatalf("error outside the sentinel set: %v", err)
			}
			return
		}
		if bits := k.N.BitLen(); bits < MinRSABits || bits > MaxRSABits {
			t.Fatalf("accepted %d-bit key", bits)
		}
		if err := k.Validate(); err != nil {
			t.Fatalf("accepted key that fails validation: %v", err)
		}
		// Anything accepted must survive a re-encode round trip.
		again, err := ParsePKCS1PrivateKeyPEM(EncodePKCS1PrivateKeyPEM(k))
		if err != nil || !again.Equal(k) {
			t.Fatalf("re-encoded accepted key does not parse back: %v", err)
		}
	})
}
