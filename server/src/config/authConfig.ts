import { z } from 'zod';
import { oidcPresetSchema, type OidcPreset } from '@nomades/shared';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
/** A list in one variable: separated by spaces or commas. */
const list = z
  .string()
  .transform((v) => v.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string().max(256)).max(100));

/** The variables of sign-in (AUTH-n in docs/spec/auth.md), merged into Config.ts's envSchema. */
export const authEnvShape = {
  /** AUTH-1: the OpenID provider (its discovery document); unset: sign-in is off. */
  OIDC_ISSUER: z.string().url('OIDC_ISSUER must be a URL').optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(512).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2048).optional(),
  OIDC_CLIENT_AUTH: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  /** AUTH-4: scopes, claims and logout rules. */
  OIDC_PRESET: oidcPresetSchema.default('generic'),
  OIDC_SCOPES: list.optional(),
  OIDC_GROUPS_CLAIM: z.string().regex(/^[A-Za-z0-9_:./-]{1,128}$/, 'OIDC_GROUPS_CLAIM: a claim name').default('groups'),
  /** AUTH-5: the claims of the name shown in meetings (default: given_name, then usual_name or family_name). */
  OIDC_GIVEN_NAME_CLAIM: z.string().regex(/^[A-Za-z0-9_:./-]{1,128}$/, 'OIDC_GIVEN_NAME_CLAIM: a claim name').default('given_name'),
  OIDC_FAMILY_NAME_CLAIM: z.string().regex(/^[A-Za-z0-9_:./-]{1,128}$/, 'OIDC_FAMILY_NAME_CLAIM: a claim name').optional(),
  /** AUTH-6: accepted `acr` values, requested and checked; `none` demands none. */
  OIDC_ACR_VALUES: list.optional(),
  /** AUTH-7: the allow-list. */
  OIDC_ALLOWED_EMAIL_DOMAINS: list.optional(),
  OIDC_ALLOWED_ORGANISATIONS: list.optional(),
  OIDC_ALLOWED_IDPS: list.optional(),
  /** AUTH-8: idle and absolute lifetimes of a session. */
  SESSION_IDLE_S: z.coerce.number().int().min(1).max(30 * 86_400).default(7200),
  SESSION_MAX_S: z.coerce.number().int().min(1).max(30 * 86_400).default(43_200),
  /** AUTH-11: a logout (or a back-channel logout) ends the meetings the session opened. */
  LOGOUT_ENDS_MEETINGS: bool.default('1'),
};

const authEnvSchema = z.object(authEnvShape);
type AuthEnv = z.infer<typeof authEnvSchema>;

/** The OpenID provider and what a login must show (AUTH-1…7). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  clientAuth: 'client_secret_basic' | 'client_secret_post';
  preset: OidcPreset;
  scopes: string[];
  groupsClaim: string;
  /** AUTH-5: the given-name claim, and the family-name claims tried in order. */
  nameClaims: { given: string; family: string[] };
  /** Accepted `acr` values; empty: none demanded (AUTH-6). */
  acrValues: string[];
  allowed: { emailDomains: string[]; organisations: string[]; idps: string[] };
  /** The provider is reached over plain HTTP (loopback only: tests). */
  insecure: boolean;
  /** PUBLIC_URL without its trailing slash: the redirect URIs derive from it (AUTH-1). */
  publicUrl: string;
}

export interface AuthConfig {
  /** Undefined: sign-in is off (OIDC_ISSUER unset). */
  oidc?: OidcConfig;
  sessionIdleS: number;
  sessionMaxS: number;
  logoutEndsMeetings: boolean;
}

const SCOPES: Record<OidcPreset, string[]> = {
  generic: ['openid', 'profile', 'email'],
  proconnect: ['openid', 'given_name', 'usual_name', 'email', 'uid', 'siret', 'idp_id'],
};
const ACR: Record<OidcPreset, string[]> = { generic: [], proconnect: ['eidas1-mfa', 'eidas2', 'eidas3'] };

const loopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * AUTH-15: the sign-in part of the configuration, or a message naming the variable at fault
 * (the caller throws it as a ConfigError).
 */
export function authConfigOf(env: AuthEnv & { PUBLIC_URL?: string }, fail: (message: string) => never): AuthConfig {
  const base = { sessionIdleS: env.SESSION_IDLE_S, sessionMaxS: env.SESSION_MAX_S, logoutEndsMeetings: env.LOGOUT_ENDS_MEETINGS };
  if (env.SESSION_IDLE_S > env.SESSION_MAX_S) fail('SESSION_IDLE_S must not exceed SESSION_MAX_S');
  if (!env.OIDC_ISSUER) return base;
  const issuer = new URL(env.OIDC_ISSUER);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && loopbackHost(issuer.hostname))) {
    fail('OIDC_ISSUER must be an https: URL (http: only on localhost or a loopback address)');
  }
  if (issuer.search || issuer.hash) fail('OIDC_ISSUER: no query or fragment');
  if (!env.OIDC_CLIENT_ID) fail('OIDC_CLIENT_ID is required with OIDC_ISSUER');
  if (!env.OIDC_CLIENT_SECRET) fail('OIDC_CLIENT_SECRET is required with OIDC_ISSUER');
  if (!env.PUBLIC_URL) fail('PUBLIC_URL is required with OIDC_ISSUER (the redirect URIs derive from it)');
  const publicUrl = new URL(env.PUBLIC_URL);
  if (publicUrl.protocol !== 'https:' && !(publicUrl.protocol === 'http:' && loopbackHost(publicUrl.hostname))) {
    fail('PUBLIC_URL must be an https: URL with OIDC_ISSUER (http: only on localhost or a loopback address)');
  }
  if (publicUrl.search || publicUrl.hash) fail('PUBLIC_URL: no query or fragment with OIDC_ISSUER');
  const allowed = {
    emailDomains: (env.OIDC_ALLOWED_EMAIL_DOMAINS ?? []).map((d) => d.toLowerCase().replace(/^@/, '')),
    organisations: env.OIDC_ALLOWED_ORGANISATIONS ?? [],
    idps: env.OIDC_ALLOWED_IDPS ?? [],
  };
  if (env.OIDC_PRESET === 'proconnect' && !allowed.emailDomains.length && !allowed.organisations.length && !allowed.idps.length) {
    fail('OIDC_PRESET=proconnect admits every public agent in France: set OIDC_ALLOWED_EMAIL_DOMAINS, OIDC_ALLOWED_ORGANISATIONS or OIDC_ALLOWED_IDPS');
  }
  const scopes = env.OIDC_SCOPES ?? SCOPES[env.OIDC_PRESET];
  if (!scopes.includes('openid')) fail('OIDC_SCOPES must include openid');
  const acrValues = env.OIDC_ACR_VALUES?.join(' ') === 'none' ? [] : (env.OIDC_ACR_VALUES ?? ACR[env.OIDC_PRESET]);
  return {
    ...base,
    oidc: {
      issuer: env.OIDC_ISSUER,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      clientAuth: env.OIDC_CLIENT_AUTH,
      preset: env.OIDC_PRESET,
      scopes,
      groupsClaim: env.OIDC_GROUPS_CLAIM,
      nameClaims: { given: env.OIDC_GIVEN_NAME_CLAIM, family: env.OIDC_FAMILY_NAME_CLAIM ? [env.OIDC_FAMILY_NAME_CLAIM] : ['usual_name', 'family_name'] },
      acrValues,
      allowed,
      insecure: issuer.protocol === 'http:',
      publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''),
    },
  };
}
