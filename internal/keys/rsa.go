package keys

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// Limits on RSA keys that Seam accepts or generates.
const (
	MinRSABits = 2048
	MaxRSABits = 8192
	// MaxPrivateKeyPEMLen caps the PEM text accepted by ParsePKCS1PrivateKeyPEM.
	// An 8192-bit PKCS#1 key is about 6.4 KiB of PEM.
	MaxPrivateKeyPEMLen = 16 << 10
)

const pkcs1Header = "-----BEGIN RSA PRIVATE KEY-----"

// Sentinel errors of ParsePKCS1PrivateKeyPEM; they map to Stytch's
// *_private_key_format_not_supported, *_private_key_invalid and
// private_key_too_long error types.
var (
	ErrKeyFormatNotSupported = errors.New("keys: private key format not supported; provide a PKCS#1 RSA key (-----BEGIN RSA PRIVATE KEY-----)")
	ErrKeyInvalid            = errors.New("keys: private key is invalid")
	ErrKeyTooLong            = errors.New("keys: private key is too long")
)

// GenerateRSAKey returns a new RSA key of bits bits (2048..8192).
//
// Since Go 1.26 crypto/rsa ignores random unless GODEBUG=cryptocustomrand=1;
// it is passed through so behaviour follows the runtime's policy. Tests that
// need deterministic keys use testing/cryptotest.SetGlobalRandom.
func GenerateRSAKey(random io.Reader, bits int) (*rsa.PrivateKey, error) {
	if bits < MinRSABits || bits > MaxRSABits {
		return nil, fmt.Errorf("keys: RSA key size %d outside %d..%d", bits, MinRSABits, MaxRSABits)
	}
	k, err := rsa.GenerateKey(random, bits)
	if err != nil {
		return nil, fmt.Errorf("keys: generate RSA key: %w", err)
	}
	return k, nil
}

// ParsePKCS1PrivateKeyPEM accepts exactly one "RSA PRIVATE KEY" PEM block
// (surrounding whitespace allowed) holding an unencrypted PKCS#1 RSA key of
// 2048..8192 bits.
//
// It returns ErrKeyTooLong for input over MaxPrivateKeyPEMLen;
// ErrKeyFormatNotSupported for anything that is not PKCS#1 (a PKCS#8
// "PRIVATE KEY", an "EC PRIVATE KEY", an encrypted PEM, PKCS#8 or EC content
// under an RSA header, no PEM at all); and ErrKeyInvalid for a PKCS#1 block that
// is truncated, followed by further data, unparsable, inconsistent, or of an
// unacceptable size. Error messages never contain key material.
func ParsePKCS1PrivateKeyPEM(s string) (*rsa.PrivateKey, error) {
	if len(s) > MaxPrivateKeyPEMLen {
		return nil, ErrKeyTooLong
	}
	data := bytes.TrimSpace([]byte(s))
	// Anything other than a leading RSA PRIVATE KEY block (other PEM types,
	// text before the block, bare base64 or DER) is a format we do not take.
	if !bytes.HasPrefix(data, []byte(pkcs1Header)) {
		return nil, ErrKeyFormatNotSupported
	}
	if bytes.Count(data, []byte("-----BEGIN")) != 1 {
		return nil, fmt.Errorf("%w: expected exactly one PEM block", ErrKeyInvalid)
	}
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		return nil, fmt.Errorf("%w: PEM block is truncated or malformed", ErrKeyInvalid)
	}
	if len(block.Headers) > 0 {
		// Proc-Type/DEK-Info mark legacy encrypted PEM; PKCS#1 keys carry no
		// other headers.
		return nil, fmt.Errorf("%w: encrypted or annotated PEM", ErrKeyFormatNotSupported)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: unexpected data after the PEM block", ErrKeyInvalid)
	}
	// Full parsing validates the key with big-number arithmetic whose cost
	// grows with the modulus; refuse oversized moduli before paying it.
	if bits, ok := pkcs1ModulusBits(block.Bytes); ok && bits > MaxRSABits {
		return nil, fmt.Errorf("%w: key is %d bits; %d to %d are accepted", ErrKeyInvalid, bits, MinRSABits, MaxRSABits)
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		if _, err8 := x509.ParsePKCS8PrivateKey(block.Bytes); err8 == nil {
			return nil, fmt.Errorf("%w: PKCS#8 content under an RSA PRIVATE KEY header", ErrKeyFormatNotSupported)
		}
		if _, errEC := x509.ParseECPrivateKey(block.Bytes); errEC == nil {
			return nil, fmt.Errorf("%w: EC key under an RSA PRIVATE KEY header", ErrKeyFormatNotSupported)
		}
		// x509's messages describe structure, never key bytes, but keep our
		// own wording so the client-facing text is stable.
		return nil, fmt.Errorf("%w: not a well-formed PKCS#1 RSA key", ErrKeyInvalid)
	}
	if bits := key.N.BitLen(); bits < MinRSABits || bits > MaxRSABits {
		return nil, fmt.Errorf("%w: key is %d bits; %d to %d are accepted", ErrKeyInvalid, bits, MinRSABits, MaxRSABits)
	}
	if len(key.Primes) != 2 {
		return nil, fmt.Errorf("%w: multi-prime RSA keys are not accepted", ErrKeyInvalid)
	}
	return key, nil
}

// pkcs1ModulusBits reads only the version and modulus of an RSAPrivateKey
// SEQUENCE. ok is false when the DER does not start that way.
func pkcs1ModulusBits(der []byte) (bits int, ok bool) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil || seq.Tag != asn1.TagSequence || !seq.IsCompound {
		return 0, false
	}
	var version int
	rest, err := asn1.Unmarshal(seq.Bytes, &version)
	if err != nil {
		return 0, false
	}
	var n *big.Int
	if _, err := asn1.Unmarshal(rest, &n); err != nil || n == nil {
		return 0, false
	}
	return n.BitLen(), true
}

// EncodePKCS1PrivateKeyPEM returns key as a PKCS#1 "RSA PRIVATE KEY" PEM block.
func EncodePKCS1PrivateKeyPEM(key *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}
