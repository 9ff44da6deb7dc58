package sso

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/store"
)

// SP signing certificates on a schedule. Seam's own signing certificates are
// valid for ten years (certValidity); before one runs out, the schedule does
// what an operator does by hand with the rotation routes (sp_rotation.go):
// it publishes a next certificate in the SP metadata well ahead, so IdPs
// that read the metadata learn it, and makes it the signing one later. The
// old one stays until an operator deletes it.

// SPRotation is the schedule: a next certificate is published AddBefore the
// signing one expires, and activated ActivateBefore it expires.
type SPRotation struct {
	AddBefore, ActivateBefore time.Duration
}

// DefaultSPRotation publishes 60 days ahead and switches 30 days ahead.
func DefaultSPRotation() SPRotation {
	return SPRotation{AddBefore: 60 * 24 * time.Hour, ActivateBefore: 30 * 24 * time.Hour}
}

// Steps of the schedule.
const (
	SPStepNone     = ""
	SPStepAdd      = "add_next"
	SPStepActivate = "activate_next"
)

// spRotationStep is the schedule's step for cfg at now, and for
// SPStepActivate the certificate to activate: the next certificate that
// expires last.
func spRotationStep(cfg *samlConfig, now time.Time, p SPRotation) (string, string) {
	if len(cfg.Signing) == 0 {
		return SPStepNone, ""
	}
	left := cfg.Signing[0].ExpiresAt.Sub(now)
	if left > p.AddBefore {
		return SPStepNone, ""
	}
	var next *storedCert
	for _, c := range nextSigning(cfg) {
		if c.ExpiresAt.After(cfg.Signing[0].ExpiresAt) && (next == nil || c.ExpiresAt.After(next.ExpiresAt)) {
			next = &c
		}
	}
	switch {
	case next == nil:
		return SPStepAdd, ""
	case left <= p.ActivateBefore:
		return SPStepActivate, next.ID
	}
	return SPStepNone, ""
}

// RotateSigningOnSchedule applies the schedule to one SAML connection and
// returns the step it took. The step is decided again under the
// connection's row lock, so replicas running the schedule at once take it
// once. It is recorded as a connection update like any other change.
func (s *Service) RotateSigningOnSchedule(ctx context.Context, c *store.Connection, p SPRotation) (string, error) {
	cfg, err := decodeSAML(c)
	if err != nil {
		return SPStepNone, err
	}
	step, _ := spRotationStep(cfg, s.Now(), p)
	if step == SPStepNone {
		return SPStepNone, nil
	}
	org := &store.Organization{ProjectID: c.ProjectID, ID: c.OrganizationID}
	var fn func(c *store.Connection, cfg *samlConfig) error
	switch step {
	case SPStepAdd:
		key, err := keys.GenerateRSAKey(s.Rand, s.keyBits())
		if err != nil {
			return SPStepNone, apierr.Internal(err)
		}
		fn = func(c *store.Connection, cfg *samlConfig) error {
			if st, _ := spRotationStep(cfg, s.Now(), p); st != SPStepAdd {
				return errUnchanged // another replica took the step
			}
			if len(cfg.Signing) >= maxSigningCerts && !dropOldestRetired(cfg) {
				return errSigningCertsFull
			}
			return s.addNextSigning(c, cfg, ids.EnvOf(c.ID, ids.SAMLConnection), key)
		}
	case SPStepActivate:
		fn = func(c *store.Connection, cfg *samlConfig) error {
			st, id := spRotationStep(cfg, s.Now(), p)
			if st != SPStepActivate {
				return errUnchanged
			}
			s.activateSigning(cfg, indexCert(cfg.Signing, id))
			return nil
		}
	}
	_, err = s.mutateSAML(ctx, org, c.ID, fn)
	if errors.Is(err, errUnchanged) {
		return SPStepNone, nil
	}
	if err != nil {
		return SPStepNone, err
	}
	return step, nil
}

// errSigningCertsFull: five signing certificates and none retired to drop.
var errSigningCertsFull = errors.New("sso: the connection holds five signing certificates, none of them retired")

// dropOldestRetired removes the oldest signing certificate that neither
// signs nor is published as next, to make room; false when there is none.
func dropOldestRetired(cfg *samlConfig) bool {
	oldest := -1
	for i, c := range cfg.Signing {
		if i > 0 && !c.Next && (oldest < 0 || c.CreatedAt.Before(cfg.Signing[oldest].CreatedAt)) {
			oldest = i
		}
	}
	if oldest < 0 {
		return false
	}
	cfg.Signing = append(cfg.Signing[:oldest], cfg.Signing[oldest+1:]...)
	return true
}

// RotateSigningCertificates runs the schedule over every SAML connection and
// returns how many steps it took; a connection it cannot rotate is named in
// the error and does not stop the others.
func (s *Service) RotateSigningCertificates(ctx context.Context, p SPRotation) (int, error) {
	n, after := 0, ""
	var errs []error
	for {
		page, err := s.Store.ListAllConnections(ctx, store.KindSAML, after, 200)
		if err != nil || len(page) == 0 {
			return n, errors.Join(append(errs, err)...)
		}
		for _, c := range page {
			step, err := s.RotateSigningOnSchedule(ctx, c, p)
			switch {
			case ctx.Err() != nil:
				return n, ctx.Err()
			case err != nil:
				errs = append(errs, fmt.Errorf("connection %s: %w", c.ID, err))
			case step != SPStepNone:
				n++
			}
		}
		after = page[len(page)-1].ID
	}
}
