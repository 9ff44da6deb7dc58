package sso

import (
	"testing"
	"time"
)

func TestSPRotationStep(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cert := func(id string, expiresIn time.Duration, next bool) storedCert {
		return storedCert{ID: id, ExpiresAt: now.Add(expiresIn), Next: next}
	}
	p := DefaultSPRotation()
	for _, tc := range []struct {
		name    string
		signing []storedCert
		step    string
		id      string
	}{
		{"no signing certificate", nil, SPStepNone, ""},
		{"far from expiry", []storedCert{cert("a", 400*day, false)}, SPStepNone, ""},
		{"61 days left", []storedCert{cert("a", 61*day, false)}, SPStepNone, ""},
		{"59 days left, no next: publish one", []storedCert{cert("a", 59*day, false)}, SPStepAdd, ""},
		{"59 days left, next published: wait", []storedCert{cert("a", 59*day, false), cert("b", 3650*day, true)}, SPStepNone, ""},
		{"29 days left: activate the next", []storedCert{cert("a", 29*day, false), cert("b", 3650*day, true)}, SPStepActivate, "b"},
		{"expired: activate the next", []storedCert{cert("a", -day, false), cert("b", 3650*day, true)}, SPStepActivate, "b"},
		{"the longest-lived next is chosen", []storedCert{cert("a", 10*day, false), cert("b", 900*day, true), cert("c", 3650*day, true)}, SPStepActivate, "c"},
		{"a next that expires first is no successor", []storedCert{cert("a", 29*day, false), cert("b", 5*day, true)}, SPStepAdd, ""},
		{"a retired one is no successor", []storedCert{cert("a", 29*day, false), cert("b", 3650*day, false)}, SPStepAdd, ""},
	} {
		step, id := spRotationStep(&samlConfig{Signing: tc.signing}, now, p)
		if step != tc.step || id != tc.id {
			t.Errorf("%s: step %q %q, want %q %q", tc.name, step, id, tc.step, tc.id)
		}
	}
}

func TestDropOldestRetired(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := &samlConfig{Signing: []storedCert{
		{ID: "active", CreatedAt: t0},
		{ID: "retired-new", CreatedAt: t0.Add(2 * time.Hour)},
		{ID: "next", CreatedAt: t0.Add(-time.Hour), Next: true},
		{ID: "retired-old", CreatedAt: t0.Add(time.Hour)},
	}}
	if !dropOldestRetired(cfg) || len(cfg.Signing) != 3 || indexCert(cfg.Signing, "retired-old") >= 0 {
		t.Fatalf("after one drop: %+v", cfg.Signing)
	}
	if !dropOldestRetired(cfg) || indexCert(cfg.Signing, "retired-new") >= 0 {
		t.Fatalf("after two drops: %+v", cfg.Signing)
	}
	if dropOldestRetired(cfg) || len(cfg.Signing) != 2 {
		t.Fatalf("the signing or the next certificate was dropped: %+v", cfg.Signing)
	}
}
