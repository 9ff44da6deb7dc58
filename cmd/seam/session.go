package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/app"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
)

const sessionUsage = "usage: seam session create --project P --organization O --member M [--duration 60m] [--sso-connection C] [--json]"

// sessionCreated is the --json output, a contract for tests and tooling.
type sessionCreated struct {
	SessionToken    string `json:"session_token"`
	SessionJWT      string `json:"session_jwt"`
	MemberSessionID string `json:"member_session_id"`
}

// session mints a member session without a login, for operators and tests.
// The session's factor is Stytch's impersonation factor, or, with
// --sso-connection, an SSO factor from the member's registration with that
// connection (so that the connection's implicit roles count).
func session(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, sessionUsage)
			return errHelp
		}
		fmt.Fprintln(stderr, sessionUsage)
		return errUsage
	}
	var (
		projectID, orgRef, memberRef, connID string
		duration                             time.Duration
		asJSON                               bool
	)
	cfg, err := parseTo("session create", args[1:], env, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&projectID, "project", "", "project ID (required)")
		fs.StringVar(&orgRef, "organization", "", "organization ID, slug or external ID (required)")
		fs.StringVar(&memberRef, "member", "", "member ID, external ID or email address (required)")
		fs.DurationVar(&duration, "duration", time.Duration(sessions.DefaultDurationMinutes)*time.Minute, "session lifetime, whole minutes from 5m to 527040m")
		fs.StringVar(&connID, "sso-connection", "", "authenticate the session with an SSO factor of this connection (the member must be registered with it)")
		fs.BoolVar(&asJSON, "json", false, "print the session as JSON")
	})
	if err != nil {
		return err
	}
	if projectID == "" || orgRef == "" || memberRef == "" {
		fmt.Fprintln(stderr, "seam session create: --project, --organization and --member are required")
		fmt.Fprintln(stderr, sessionUsage)
		return errUsage
	}
	if duration%time.Minute != 0 {
		fmt.Fprintln(stderr, "seam session create: --duration must be whole minutes")
		return errUsage
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	out, err := createSession(ctx, a, projectID, orgRef, memberRef, connID, int(duration/time.Minute))
	if err != nil {
		return cliError(err)
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	_, err = fmt.Fprintf(stdout, "member_session_id: %s\nsession_token:     %s\nsession_jwt:       %s\n",
		out.MemberSessionID, out.SessionToken, out.SessionJWT)
	return err
}

func createSession(ctx context.Context, a *app.App, projectID, orgRef, memberRef, connID string, minutes int) (*sessionCreated, error) {
	p, err := a.Store.GetProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("no project %q in this database", projectID)
	}
	if err != nil {
		return nil, err
	}
	org, err := a.Orgs.Get(ctx, a.Store, p.ID, orgRef)
	if err != nil {
		return nil, err
	}
	var m *store.Member
	if strings.Contains(memberRef, "@") {
		m, err = a.Members.GetByEmail(ctx, a.Store, org, memberRef)
	} else {
		m, err = a.Members.Get(ctx, a.Store, org, memberRef)
	}
	if err != nil {
		return nil, err
	}
	now := a.Clock()
	factor := sessions.OperatorFactor(now)
	if connID != "" {
		if factor, err = ssoFactor(ctx, a, p, m, connID, now); err != nil {
			return nil, err
		}
	}
	sess, token, jwt, err := a.Sessions.Create(ctx, p, org, m, factor, minutes, nil)
	if err != nil {
		return nil, err
	}
	return &sessionCreated{SessionToken: token, SessionJWT: jwt, MemberSessionID: sess.ID}, nil
}

// ssoFactor builds the factor of a login through connID from the member's
// registration with it. The factor kind is the protocol of the connection,
// or of its source for an External connection.
func ssoFactor(ctx context.Context, a *app.App, p *store.Project, m *store.Member, connID string, now time.Time) (sessions.Factor, error) {
	reg, err := a.Store.GetMemberSSORegistration(ctx, p.ID, m.ID, connID)
	if errors.Is(err, store.ErrNotFound) {
		return sessions.Factor{}, fmt.Errorf("member %s has no SSO registration with connection %q", m.ID, connID)
	}
	if err != nil {
		return sessions.Factor{}, err
	}
	c, err := a.Store.GetConnection(ctx, p.ID, connID)
	if err != nil {
		return sessions.Factor{}, err
	}
	kind := c.Kind
	if kind == store.KindExternal {
		src, err := a.Store.GetConnection(ctx, p.ID, c.SourceID)
		if err != nil {
			return sessions.Factor{}, err
		}
		kind = src.Kind
	}
	return sessions.SSOFactor(kind, reg, now), nil
}

// cliError shows an API error as its type and message.
func cliError(err error) error {
	var e *apierr.Error
	if errors.As(err, &e) && e.Status < 500 {
		return fmt.Errorf("%s: %s", e.Type, e.Message)
	}
	return err
}
