// Helpers for the member-session conformance files: sessions are minted with
// `seam session create`, the operator command (DESIGN.md §1), run by the harness.

/**
 * Mints a member session; resolves {session_token, session_jwt, member_session_id}.
 * org may be an organization ID or slug; member an ID, external ID or email.
 */
export async function mintSession(seam, { projectId = seam.projectId, org, member, duration, ssoConnection }) {
  const args = ['session', 'create', '--json', '--project', projectId, '--organization', org, '--member', member];
  if (duration) args.push('--duration', duration);
  if (ssoConnection) args.push('--sso-connection', ssoConnection);
  const r = await seam.cli(args);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}
