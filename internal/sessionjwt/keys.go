package sessionjwt

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seamsso/seam/internal/ids"
)

// MinRSABits is the smallest RSA modulus Seam signs or verifies with.
const MinRSABits = 2048

// SigningKey is one RS256 key of a project's session-JWT key set.
type SigningKey struct {
	KID       string
	Private   *rsa.PrivateKey
	CreatedAt time.Time
}

// NewKID returns a fresh key ID of the form jwk-<env>-<uuid>.
func NewKID(random io.Reader, env ids.Environment) string {
	return ids.Generator{Rand: random}.New(ids.JWK, env)
}

// IsKID reports whether kid has the form NewKID gives: a kid read from an
// unverified token is checked before it is looked up.
func IsKID(kid string) bool { return ids.Has(kid, ids.JWK) }

// GenerateSigningKey creates a 2048-bit RSA signing key. random feeds the key
// ID only: since Go 1.26 crypto/rsa always draws key material from the
// operating system's secure source.
func GenerateSigningKey(random io.Reader, env ids.Environment, now time.Time) (SigningKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, MinRSABits)
	if err != nil {
		return SigningKey{}, fmt.Errorf("sessionjwt: generate RSA key: %w", err)
	}
	return SigningKey{KID: NewKID(random, env), Private: priv, CreatedAt: now.UTC()}, nil
}

var (
	errNoKID      = errors.New("sessionjwt: signing key has no kid")
	errNoPrivate  = errors.New("sessionjwt: signing key has no RSA private key")
	errWeakKey    = fmt.Errorf("sessionjwt: RSA key shorter than %d bits", MinRSABits)
	errKIDTooLong = errors.New("sessionjwt: kid longer than 256 bytes")
)

// check reports why k cannot sign or verify.
func (k SigningKey) check() error {
	switch {
	case k.KID == "":
		return errNoKID
	case len(k.KID) > 256:
		return errKIDTooLong
	case k.Private == nil || k.Private.N == nil:
		return errNoPrivate
	case k.Private.N.BitLen() < MinRSABits:
		return errWeakKey
	}
	return nil
}
