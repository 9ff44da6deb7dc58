package samltest

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/beevik/etree"
)

// XML Encryption algorithm identifiers.
const (
	AlgAES128CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	AlgAES192CBC = "http://www.w3.org/2001/04/xmlenc#aes192-cbc"
	AlgAES256CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	AlgAES128GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	AlgAES192GCM = "http://www.w3.org/2009/xmlenc11#aes192-gcm"
	AlgAES256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
	AlgTripleDES = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"

	AlgRSAOAEPMGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	AlgRSAOAEP11    = "http://www.w3.org/2009/xmlenc11#rsa-oaep"
	AlgRSA15        = "http://www.w3.org/2001/04/xmlenc#rsa-1_5"

	AlgMGF1SHA1   = "http://www.w3.org/2009/xmlenc11#mgf1sha1"
	AlgMGF1SHA224 = "http://www.w3.org/2009/xmlenc11#mgf1sha224"
	AlgMGF1SHA256 = "http://www.w3.org/2009/xmlenc11#mgf1sha256"
	AlgMGF1SHA384 = "http://www.w3.org/2009/xmlenc11#mgf1sha384"
	AlgMGF1SHA512 = "http://www.w3.org/2009/xmlenc11#mgf1sha512"
)

// EncryptOptions choose the XML Encryption algorithms. Zero values mean
// AES-256-GCM content and RSA-OAEP (MGF1-SHA1, SHA-1 digest) key transport.
type EncryptOptions struct {
	Cipher string
	// KeyTransport is rsa-oaep-mgf1p, xmlenc11 rsa-oaep or rsa-1_5.
	KeyTransport string
	// OAEPDigest is written as ds:DigestMethod; empty omits it (SHA-1).
	OAEPDigest string
	// MGF is written as xenc11:MGF for xmlenc11 rsa-oaep; empty omits it.
	MGF string
	// Label is written as OAEPparams.
	Label []byte
	// KeyBesideData puts the EncryptedKey next to EncryptedData in the
	// EncryptedAssertion instead of inside EncryptedData's KeyInfo.
	KeyBesideData bool
	// Random supplies the content key and IV; crypto/rand when nil.
	Random io.Reader
}

func cipherKeyLen(alg string) (int, bool, bool) {
	switch alg {
	case AlgAES128CBC:
		return 16, false, true
	case AlgAES192CBC:
		return 24, false, true
	case AlgAES256CBC:
		return 32, false, true
	case AlgAES128GCM:
		return 16, true, true
	case AlgAES192GCM:
		return 24, true, true
	case AlgAES256GCM:
		return 32, true, true
	}
	return 0, false, false
}

func digestHash(alg string) crypto.Hash {
	switch alg {
	case AlgMGF1SHA224:
		return crypto.SHA224
	case AlgSHA256, AlgMGF1SHA256:
		return crypto.SHA256
	case AlgSHA384, AlgMGF1SHA384:
		return crypto.SHA384
	case AlgSHA512, AlgMGF1SHA512:
		return crypto.SHA512
	default:
		return crypto.SHA1
	}
}

// EncryptAssertion replaces assertion (serialized with every namespace in
// scope) by a saml:EncryptedAssertion for cert and returns the new element.
func EncryptAssertion(assertion *etree.Element, cert *x509.Certificate, o EncryptOptions) (*etree.Element, error) {
	if assertion == nil || assertion.Parent() == nil {
		return nil, errors.New("samltest: EncryptAssertion needs an attached assertion")
	}
	standalone, err := detached(assertion)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.SetRoot(standalone)
	plaintext, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	enc, err := EncryptedAssertion(plaintext, cert, o)
	if err != nil {
		return nil, err
	}
	parent := assertion.Parent()
	idx := assertion.Index()
	parent.RemoveChildAt(idx)
	parent.InsertChildAt(idx, enc)
	return enc, nil
}

// EncryptedAssertion encrypts arbitrary plaintext (hostile tests encrypt
// things that are not assertions) into a saml:EncryptedAssertion element.
func EncryptedAssertion(plaintext []byte, cert *x509.Certificate, o EncryptOptions) (*etree.Element, error) {
	random := o.Random
	if random == nil {
		random = rand.Reader
	}
	if o.Cipher == "" {
		o.Cipher = AlgAES256GCM
	}
	if o.KeyTransport == "" {
		o.KeyTransport = AlgRSAOAEPMGF1P
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("samltest: encryption certificate must hold an RSA key")
	}
	keyLen, gcm, ok := cipherKeyLen(o.Cipher)
	if !ok {
		return nil, fmt.Errorf("samltest: unknown cipher %s", o.Cipher)
	}
	cek := make([]byte, keyLen)
	if _, err := io.ReadFull(random, cek); err != nil {
		return nil, err
	}
	content, err := encryptContent(cek, plaintext, gcm, random)
	if err != nil {
		return nil, err
	}
	var wrapped []byte
	switch o.KeyTransport {
	case AlgRSA15:
		wrapped, err = rsa.EncryptPKCS1v15(random, pub, cek)
	default:
		hash := digestHash(o.OAEPDigest)
		mgf := crypto.SHA1
		if o.KeyTransport == AlgRSAOAEP11 && o.MGF != "" {
			mgf = digestHash(o.MGF)
		}
		wrapped, err = rsa.EncryptOAEPWithOptions(random, pub, cek, &rsa.OAEPOptions{Hash: hash, MGFHash: mgf, Label: o.Label})
	}
	if err != nil {
		return nil, err
	}

	enc := etree.NewElement("saml:EncryptedAssertion")
	enc.CreateAttr("xmlns:saml", NSAssertion)
	ed := enc.CreateElement("xenc:EncryptedData")
	ed.CreateAttr("xmlns:xenc", NSXMLEnc)
	ed.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	ed.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", o.Cipher)

	ek := etree.NewElement("xenc:EncryptedKey")
	ek.CreateAttr("xmlns:xenc", NSXMLEnc)
	em := ek.CreateElement("xenc:EncryptionMethod")
	em.CreateAttr("Algorithm", o.KeyTransport)
	if o.OAEPDigest != "" {
		dm := em.CreateElement("ds:DigestMethod")
		dm.CreateAttr("xmlns:ds", NSDSig)
		dm.CreateAttr("Algorithm", o.OAEPDigest)
	}
	if o.MGF != "" {
		m := em.CreateElement("xenc11:MGF")
		m.CreateAttr("xmlns:xenc11", NSXMLEnc11)
		m.CreateAttr("Algorithm", o.MGF)
	}
	if len(o.Label) > 0 {
		em.CreateElement("xenc:OAEPparams").SetText(base64.StdEncoding.EncodeToString(o.Label))
	}
	ek.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").
		SetText(base64.StdEncoding.EncodeToString(wrapped))

	if o.KeyBesideData {
		ki := ed.CreateElement("ds:KeyInfo")
		ki.CreateAttr("xmlns:ds", NSDSig)
		rm := ki.CreateElement("ds:RetrievalMethod")
		rm.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#EncryptedKey")
	} else {
		ki := ed.CreateElement("ds:KeyInfo")
		ki.CreateAttr("xmlns:ds", NSDSig)
		ki.AddChild(ek)
	}
	ed.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").
		SetText(base64.StdEncoding.EncodeToString(content))
	if o.KeyBesideData {
		enc.AddChild(ek)
	}
	return enc, nil
}

func encryptContent(key, plaintext []byte, gcm bool, random io.Reader) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if gcm {
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := io.ReadFull(random, nonce); err != nil {
			return nil, err
		}
		return aead.Seal(nonce, nonce, plaintext, nil), nil
	}
	bs := block.BlockSize()
	pad := bs - len(plaintext)%bs
	padded := make([]byte, len(plaintext)+pad)
	copy(padded, plaintext)
	for i := len(plaintext); i < len(padded); i++ {
		padded[i] = byte(pad)
	}
	out := make([]byte, bs+len(padded))
	if _, err := io.ReadFull(random, out[:bs]); err != nil {
		return nil, err
	}
	cipher.NewCBCEncrypter(block, out[:bs]).CryptBlocks(out[bs:], padded)
	return out, nil
}
