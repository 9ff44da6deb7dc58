package saml

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	_ "crypto/sha1" // OAEP with SHA-1 is the common default of IdPs
	_ "crypto/sha256"
	_ "crypto/sha512"
	"fmt"

	"github.com/beevik/etree"
)

// XML Encryption algorithm identifiers.
const (
	algAES128CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	algAES192CBC = "http://www.w3.org/2001/04/xmlenc#aes192-cbc"
	algAES256CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	algAES128GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	algAES192GCM = "http://www.w3.org/2009/xmlenc11#aes192-gcm"
	algAES256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"

	algRSAOAEPMGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	algRSAOAEP11    = "http://www.w3.org/2009/xmlenc11#rsa-oaep"
	algRSA15        = "http://www.w3.org/2001/04/xmlenc#rsa-1_5"

	algMGF1SHA1   = "http://www.w3.org/2009/xmlenc11#mgf1sha1"
	algMGF1SHA224 = "http://www.w3.org/2009/xmlenc11#mgf1sha224"
	algMGF1SHA256 = "http://www.w3.org/2009/xmlenc11#mgf1sha256"
	algMGF1SHA384 = "http://www.w3.org/2009/xmlenc11#mgf1sha384"
	algMGF1SHA512 = "http://www.w3.org/2009/xmlenc11#mgf1sha512"

	typeElement = "http://www.w3.org/2001/04/xmlenc#Element"
)

const maxEncryptedKeys = 4

// decryptFailed is the one answer for every failure that depends on secret
// material (wrong key, bad OAEP or CBC padding, GCM tag mismatch, wrong key
// length), so the response gives no padding or format oracle.
func decryptFailed() *Rejection {
	return reject(ReasonDecryptionFailed,
		"the EncryptedAssertion could not be decrypted with the connection's encryption keys")
}

type contentCipher struct {
	keyLen int
	gcm    bool
}

func contentAlgorithm(alg string) (contentCipher, bool) {
	switch alg {
	case algAES128CBC:
		return contentCipher{16, false}, true
	case algAES192CBC:
		return contentCipher{24, false}, true
	case algAES256CBC:
		return contentCipher{32, false}, true
	case algAES128GCM:
		return contentCipher{16, true}, true
	case algAES192GCM:
		return contentCipher{24, true}, true
	case algAES256GCM:
		return contentCipher{32, true}, true
	}
	return contentCipher{}, false
}

type keyTransport struct {
	ciphertext []byte
	opts       rsa.OAEPOptions
}

// decryptAssertion implements the subset of XML Encryption that SAML IdPs
// use: an EncryptedData (Type Element) with AES-CBC or AES-GCM content, whose
// key is transported by RSA-OAEP in an EncryptedKey inside its KeyInfo or
// beside it in the EncryptedAssertion.
//
// RSA PKCS#1 v1.5 key transport (rsa-1_5) is refused: its padding check is a
// Bleichenbacher oracle, and an attacker who can submit chosen EncryptedKeys
// to the ACS could recover content keys of captured assertions. Every IdP
// Seam targets supports RSA-OAEP.
func decryptAssertion(enc *etree.Element, keys []*rsa.PrivateKey) ([]byte, *Rejection) {
	ed, ok := onlyChild(enc, nsXMLEnc, "EncryptedData")
	if !ok || ed == nil {
		return nil, reject(ReasonDecryptionFailed, "EncryptedAssertion must contain exactly one EncryptedData")
	}
	if typ, present := attr(ed, "Type"); present && typ != typeElement {
		return nil, reject(ReasonDecryptionFailed, "EncryptedData must have Type Element")
	}
	method, ok := onlyChild(ed, nsXMLEnc, "EncryptionMethod")
	if !ok || method == nil {
		return nil, reject(ReasonDecryptionFailed, "EncryptedData has no single EncryptionMethod")
	}
	alg := attrValue(method, "Algorithm")
	cc, ok := contentAlgorithm(alg)
	if !ok {
		return nil, reject(ReasonDecryptionFailed,
			fmt.Sprintf("content encryption %q is not supported; use AES-GCM or AES-CBC", clean(alg)))
	}
	content, rej := cipherValue(ed)
	if rej != nil {
		return nil, rej
	}

	var encryptedKeys []*etree.Element
	if ki, ok := onlyChild(ed, nsDSig, "KeyInfo"); ok && ki != nil {
		encryptedKeys = append(encryptedKeys, children(ki, nsXMLEnc, "EncryptedKey")...)
	}
	encryptedKeys = append(encryptedKeys, children(enc, nsXMLEnc, "EncryptedKey")...)
	if len(encryptedKeys) == 0 {
		return nil, reject(ReasonDecryptionFailed, "the EncryptedAssertion carries no EncryptedKey")
	}
	if len(encryptedKeys) > maxEncryptedKeys {
		return nil, reject(ReasonDecryptionFailed, "the EncryptedAssertion carries too many EncryptedKeys")
	}
	transports := make([]keyTransport, 0, len(encryptedKeys))
	for _, ek := range encryptedKeys {
		kt, rej := parseEncryptedKey(ek)
		if rej != nil {
			return nil, rej
		}
		transports = append(transports, kt)
	}
	if len(keys) == 0 {
		return nil, reject(ReasonDecryptionFailed, "the assertion is encrypted but the connection has no encryption private key")
	}

	for _, kt := range transports {
		for _, key := range keys {
			cek, err := key.Decrypt(nil, kt.ciphertext, &kt.opts)
			if err != nil || len(cek) != cc.keyLen {
				continue
			}
			plaintext, ok := decryptContent(cc, cek, content)
			if ok {
				return plaintext, nil
			}
		}
	}
	return nil, decryptFailed()
}

func parseEncryptedKey(ek *etree.Element) (keyTransport, *Rejection) {
	method, ok := onlyChild(ek, nsXMLEnc, "EncryptionMethod")
	if !ok || method == nil {
		return keyTransport{}, reject(ReasonDecryptionFailed, "EncryptedKey has no single EncryptionMethod")
	}
	alg := attrValue(method, "Algorithm")
	kt := keyTransport{opts: rsa.OAEPOptions{Hash: crypto.SHA1, MGFHash: crypto.SHA1}}
	switch alg {
	case algRSAOAEPMGF1P:
		// MGF1 with SHA-1 is fixed by this identifier; DigestMethod picks the
		// OAEP hash.
	case algRSAOAEP11:
		if mgf, ok := onlyChild(method, nsXMLEnc11, "MGF"); !ok {
			return keyTransport{}, reject(ReasonDecryptionFailed, "EncryptedKey has more than one MGF")
		} else if mgf != nil {
			h, ok := mgfHash(attrValue(mgf, "Algorithm"))
			if !ok {
				return keyTransport{}, reject(ReasonDecryptionFailed,
					fmt.Sprintf("OAEP mask generation %q is not supported", clean(attrValue(mgf, "Algorithm"))))
			}
			kt.opts.MGFHash = h
		}
	case algRSA15:
		return keyTransport{}, reject(ReasonDecryptionFailed,
			"key transport rsa-1_5 (RSA PKCS#1 v1.5) is refused because its padding is a decryption oracle; configure RSA-OAEP at the IdP")
	default:
		return keyTransport{}, reject(ReasonDecryptionFailed,
			fmt.Sprintf("key transport %q is not supported; use RSA-OAEP", clean(alg)))
	}
	dm, ok := onlyChild(method, nsDSig, "DigestMethod")
	if !ok {
		return keyTransport{}, reject(ReasonDecryptionFailed, "EncryptedKey has more than one DigestMethod")
	}
	if dm != nil {
		h, ok := oaepDigest(attrValue(dm, "Algorithm"))
		if !ok {
			return keyTransport{}, reject(ReasonDecryptionFailed,
				fmt.Sprintf("OAEP digest %q is not supported", clean(attrValue(dm, "Algorithm"))))
		}
		kt.opts.Hash = h
	}
	params, ok := onlyChild(method, nsXMLEnc, "OAEPparams")
	if !ok {
		return keyTransport{}, reject(ReasonDecryptionFailed, "EncryptedKey has more than one OAEPparams")
	}
	if params != nil {
		label, err := decodeBase64Text(params)
		if err != nil {
			return keyTransport{}, reject(ReasonDecryptionFailed, "OAEPparams is not base64")
		}
		kt.opts.Label = label
	}
	ct, rej := cipherValue(ek)
	if rej != nil {
		return keyTransport{}, rej
	}
	kt.ciphertext = ct
	return kt, nil
}

func oaepDigest(alg string) (crypto.Hash, bool) {
	switch alg {
	case algSHA1:
		return crypto.SHA1, true
	case algSHA256:
		return crypto.SHA256, true
	case algSHA384:
		return crypto.SHA384, true
	case algSHA512:
		return crypto.SHA512, true
	}
	return 0, false
}

func mgfHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case algMGF1SHA1:
		return crypto.SHA1, true
	case algMGF1SHA224:
		return crypto.SHA224, true
	case algMGF1SHA256:
		return crypto.SHA256, true
	case algMGF1SHA384:
		return crypto.SHA384, true
	case algMGF1SHA512:
		return crypto.SHA512, true
	}
	return 0, false
}

// cipherValue returns the decoded CipherData/CipherValue of el. CipherReference
// (fetching ciphertext from a URI) is not supported.
func cipherValue(el *etree.Element) ([]byte, *Rejection) {
	cd, ok := onlyChild(el, nsXMLEnc, "CipherData")
	if !ok || cd == nil {
		return nil, reject(ReasonDecryptionFailed, "an encrypted element has no single CipherData")
	}
	cv, ok := onlyChild(cd, nsXMLEnc, "CipherValue")
	if !ok || cv == nil {
		return nil, reject(ReasonDecryptionFailed, "CipherData must hold one CipherValue (CipherReference is not supported)")
	}
	b, err := decodeBase64Text(cv)
	if err != nil {
		return nil, reject(ReasonDecryptionFailed, "CipherValue is not base64")
	}
	return b, nil
}

// decryptContent decrypts iv||ciphertext (CBC) or iv||ciphertext||tag (GCM).
func decryptContent(cc contentCipher, key, data []byte) ([]byte, bool) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	if cc.gcm {
		aead, err := cipher.NewGCM(block)
		if err != nil || len(data) < aead.NonceSize()+aead.Overhead() {
			return nil, false
		}
		nonce, ct := data[:aead.NonceSize()], data[aead.NonceSize():]
		out, err := aead.Open(nil, nonce, ct, nil)
		return out, err == nil
	}
	bs := block.BlockSize()
	if len(data) < 2*bs || len(data)%bs != 0 {
		return nil, false
	}
	iv, ct := data[:bs], data[bs:]
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ct)
	// XML Encryption padding: the last byte is the padding length (1..block
	// size); the other padding bytes are arbitrary.
	pad := int(out[len(out)-1])
	if pad < 1 || pad > bs {
		return nil, false
	}
	return out[:len(out)-pad], true
}
