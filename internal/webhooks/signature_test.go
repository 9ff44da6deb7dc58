package webhooks

import (
	"bytes"
	"strings"
	"testing"
)

// TestSignKnownVector checks Sign against the example of the Standard
// Webhooks specification (the same vector the svix libraries test with).
func TestSignKnownVector(t *testing.T) {
	key, err := secretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestSignatureHeaderSignsWithEveryKey(t *testing.T) {
	a, b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	h := SignatureHeader([][]byte{a, b}, "id", 1, []byte("{}"))
	parts := strings.Split(h, " ")
	if len(parts) != 2 || parts[0] != Sign(a, "id", 1, []byte("{}")) || parts[1] != Sign(b, "id", 1, []byte("{}")) {
		t.Errorf("header %q", h)
	}
}

func TestNewSecretRoundTrip(t *testing.T) {
	s, err := NewSecret(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	k, err := secretKey(s)
	if err != nil || !bytes.Equal(k, bytes.Repeat([]byte{7}, 32)) || !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("%q -> %v %v", s, k, err)
	}
	if _, err := secretKey("nope"); err == nil {
		t.Error("a secret without whsec_ accepted")
	}
}
