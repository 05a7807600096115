import crypto from 'node:crypto';
import type { OidcConfig } from '../config/authConfig.js';
import { AuthFailure } from './AuthFailure.js';

/** The longest name shown in meetings (AUTH-5). */
const MAX_NAME = 64;
const MAX_GROUPS = 200;
const MAX_GROUP_LENGTH = 256;

/** Who signed in, from the ID token's claims merged with the userinfo's (AUTH-5, AUTH-7). */
export interface AgentIdentity {
  /** `u:` + 22 base64url characters of SHA-256(issuer | subject). */
  key: string;
  sub: string;
  name: string;
  email: string | null;
  groups: string[];
  acr: string | null;
  /** The provider's session id (ID token `sid`), for back-channel logout. */
  sid: string | null;
}

type Claims = Record<string, unknown>;

const text = (value: unknown, max = 256): string | undefined =>
  typeof value === 'string' && value.trim() && value.length <= max ? value.trim() : undefined;

/** AUTH-5: the same person whichever node or session: never the email. */
export function agentKey(issuer: string, sub: string): string {
  return `u:${crypto.createHash('sha256').update(`${issuer}|${sub}`).digest('base64url').slice(0, 22)}`;
}

/** The name claims of the presets (AUTH-5): OIDC_GIVEN_NAME_CLAIM and OIDC_FAMILY_NAME_CLAIM change them. */
export const DEFAULT_NAME_CLAIMS: OidcConfig['nameClaims'] = { given: 'given_name', family: ['usual_name', 'family_name'] };

/** AUTH-5: given + family name (usual_name or family_name by default) as written, else `name`, else the email; 64 characters. */
export function displayName(claims: Claims, email: string | null, nameClaims: OidcConfig['nameClaims'] = DEFAULT_NAME_CLAIMS): string {
  const given = text(claims[nameClaims.given]);
  const family = nameClaims.family.map((claim) => text(claims[claim])).find(Boolean);
  const name = [given, family].filter(Boolean).join(' ') || text(claims.name) || email || 'Agent';
  return [...name.replace(/\s+/g, ' ')].slice(0, MAX_NAME).join('');
}

/** Lower-cased; null when absent, not an address, or marked unverified (`email_verified: false`). */
export function verifiedEmail(claims: Claims): string | null {
  const email = text(claims.email, 254)?.toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email) || claims.email_verified === false) return null;
  return email;
}

function groupsOf(claims: Claims, claim: string): string[] {
  const value = claims[claim];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= MAX_GROUP_LENGTH).slice(0, MAX_GROUPS);
}

/** AUTH-6: the ID token's `acr` must be one of those configured (when any is). */
export function checkAcr(oidc: OidcConfig, acr: unknown): void {
  if (oidc.acrValues.length === 0) return;
  if (typeof acr !== 'string' || !oidc.acrValues.includes(acr)) {
    throw new AuthFailure('second_factor_required', `acr ${typeof acr === 'string' ? acr.slice(0, 64) : 'missing'} is not one of ${oidc.acrValues.join(' ')}`);
  }
}

/** AUTH-7: with any allow-list set, a login must match one of the lists set. */
export function checkAllowed(oidc: OidcConfig, claims: Claims, email: string | null): void {
  const { emailDomains, organisations, idps } = oidc.allowed;
  if (!emailDomains.length && !organisations.length && !idps.length) return;
  const domain = email ? email.slice(email.lastIndexOf('@') + 1) : undefined;
  if (domain && emailDomains.includes(domain)) return;
  const siret = text(claims.siret, 64);
  if (siret && organisations.includes(siret)) return;
  const idp = text(claims.idp_id, 256);
  if (idp && idps.includes(idp)) return;
  throw new AuthFailure('not_allowed', `not in the allow-list (email domain ${domain ?? 'none'})`);
}

/** The identity of a login whose tokens were checked: claims of the ID token, completed by the userinfo's. */
export function identityOf(oidc: OidcConfig, idClaims: Claims, userinfo: Claims): AgentIdentity {
  const sub = text(idClaims.sub, 255);
  if (!sub) throw new AuthFailure('provider_refused', 'the ID token has no usable sub');
  const claims = { ...userinfo, ...idClaims };
  const email = verifiedEmail(claims);
  checkAcr(oidc, idClaims.acr);
  checkAllowed(oidc, claims, email);
  return {
    key: agentKey(oidc.issuer, sub),
    sub,
    name: displayName(claims, email, oidc.nameClaims),
    email,
    groups: groupsOf(claims, oidc.groupsClaim),
    acr: text(idClaims.acr, 128) ?? null,
    sid: text(idClaims.sid, 255) ?? null,
  };
}
