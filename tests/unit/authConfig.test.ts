import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '@nomades/server';
import { safeReturnTo } from '../../server/src/auth/LoginFlow.js';
import { agentKey, displayName, verifiedEmail } from '../../server/src/auth/agentIdentity.js';

/** Sign-in's configuration (docs/spec/auth.md AUTH-4, AUTH-15) and the pure rules of AUTH-3 and AUTH-5. */
const OK = { OIDC_ISSUER: 'https://auth.ville.example/realms/agents', OIDC_CLIENT_ID: 'nomades', OIDC_CLIENT_SECRET: 's3cret', PUBLIC_URL: 'https://visio.ville.example' };

const refused = (env: Record<string, string>, variable: string) => {
  try {
    loadConfig(env);
    assert.unreachable(`accepted: ${JSON.stringify(env)}`);
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, variable);
  }
};

test('sign-in is off without OIDC_ISSUER (today\'s behaviour), with the session defaults', () => {
  const { auth } = loadConfig({});
  assert.equal(auth, { sessionIdleS: 7200, sessionMaxS: 43_200, logoutEndsMeetings: true });
});

test('AUTH-4 the generic preset: its scopes, groups claim, no acr demanded, client_secret_basic', () => {
  const oidc = loadConfig(OK).auth.oidc!;
  assert.equal(oidc.scopes, ['openid', 'profile', 'email']);
  assert.equal([oidc.preset, oidc.groupsClaim, oidc.acrValues, oidc.clientAuth, oidc.insecure, oidc.publicUrl], ['generic', 'groups', [], 'client_secret_basic', false, 'https://visio.ville.example']);
  const custom = loadConfig({ ...OK, OIDC_SCOPES: 'openid,email  roles', OIDC_ACR_VALUES: 'gold, silver', OIDC_GROUPS_CLAIM: 'roles', OIDC_CLIENT_AUTH: 'client_secret_post', OIDC_ALLOWED_EMAIL_DOMAINS: '@Ville.Example paris.fr' }).auth.oidc!;
  assert.equal([custom.scopes, custom.acrValues, custom.groupsClaim, custom.clientAuth, custom.allowed.emailDomains], [['openid', 'email', 'roles'], ['gold', 'silver'], 'roles', 'client_secret_post', ['ville.example', 'paris.fr']]);
  assert.equal(oidc.nameClaims, { given: 'given_name', family: ['usual_name', 'family_name'] });
  assert.equal(loadConfig({ ...OK, OIDC_GIVEN_NAME_CLAIM: 'prenom', OIDC_FAMILY_NAME_CLAIM: 'nom' }).auth.oidc!.nameClaims, { given: 'prenom', family: ['nom'] });
  refused({ ...OK, OIDC_FAMILY_NAME_CLAIM: 'nom de famille' }, 'OIDC_FAMILY_NAME_CLAIM');
});

test('AUTH-4/7 the ProConnect preset: its scopes and acr values, and an allow-list it cannot start without', () => {
  refused({ ...OK, OIDC_PRESET: 'proconnect' }, 'OIDC_ALLOWED_');
  const oidc = loadConfig({ ...OK, OIDC_PRESET: 'proconnect', OIDC_ALLOWED_IDPS: 'idp-ville' }).auth.oidc!;
  assert.equal(oidc.scopes, ['openid', 'given_name', 'usual_name', 'email', 'uid', 'siret', 'idp_id']);
  assert.equal(oidc.acrValues, ['eidas1-mfa', 'eidas2', 'eidas3']);
  assert.equal(oidc.allowed.idps, ['idp-ville']);
  assert.equal(loadConfig({ ...OK, OIDC_PRESET: 'proconnect', OIDC_ALLOWED_ORGANISATIONS: '1', OIDC_ACR_VALUES: 'none' }).auth.oidc!.acrValues, [], '`none` demands none');
});

test('AUTH-15 configuration errors refuse to start, naming the variable', () => {
  refused({ ...OK, OIDC_ISSUER: 'not a url' }, 'OIDC_ISSUER');
  refused({ ...OK, OIDC_ISSUER: 'http://auth.ville.example' }, 'OIDC_ISSUER');
  refused({ ...OK, OIDC_ISSUER: 'http://10.0.0.5:8080' }, 'OIDC_ISSUER');
  refused({ ...OK, OIDC_CLIENT_SECRET: '' }, 'OIDC_CLIENT_SECRET');
  refused({ ...OK, OIDC_CLIENT_ID: '' }, 'OIDC_CLIENT_ID');
  refused({ ...OK, PUBLIC_URL: '' }, 'PUBLIC_URL');
  refused({ ...OK, PUBLIC_URL: 'http://visio.ville.example' }, 'PUBLIC_URL');
  refused({ ...OK, OIDC_CLIENT_AUTH: 'private_key_jwt' }, 'OIDC_CLIENT_AUTH');
  refused({ ...OK, OIDC_PRESET: 'keycloak' }, 'OIDC_PRESET');
  refused({ ...OK, OIDC_SCOPES: 'email profile' }, 'OIDC_SCOPES');
  refused({ SESSION_IDLE_S: '9000', SESSION_MAX_S: '3600' }, 'SESSION_IDLE_S');
  refused({ LOGOUT_ENDS_MEETINGS: 'maybe' }, 'LOGOUT_ENDS_MEETINGS');
  // http: only on localhost or loopback (tests), for the issuer and PUBLIC_URL alike.
  for (const issuer of ['http://localhost:9000', 'http://127.0.0.1:9000/realms/x', 'http://[::1]:9000']) {
    const oidc = loadConfig({ ...OK, OIDC_ISSUER: issuer, PUBLIC_URL: 'http://127.0.0.1:3000/' }).auth.oidc!;
    assert.is(oidc.insecure, true, issuer);
    assert.is(oidc.publicUrl, 'http://127.0.0.1:3000');
  }
});

test('AUTH-3 returnTo: only a same-origin path, else home', () => {
  for (const ok of ['/', '/room/abc', '/room/abc?name=Zoé', '/a//b']) assert.is(safeReturnTo(ok), ok);
  for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'room/abc', '', '/\nx', undefined, ['/a'], `/${'a'.repeat(3000)}`]) assert.is(safeReturnTo(bad), '/', String(bad));
});

test('AUTH-5 the identity is stable and never the email; the name falls back; an unverified email is none', () => {
  const key = agentKey('https://auth.ville.example', 'abc');
  assert.match(key, /^u:[A-Za-z0-9_-]{22}$/);
  assert.is(agentKey('https://auth.ville.example', 'abc'), key);
  assert.is.not(agentKey('https://other.example', 'abc'), key, 'another issuer, another identity');
  assert.is(displayName({ given_name: 'Camille', usual_name: 'Martin', family_name: 'Autre' }, null), 'Camille Martin');
  assert.is(displayName({ name: 'C. Martin' }, 'c@v.fr'), 'C. Martin');
  assert.is(displayName({}, 'c@v.fr'), 'c@v.fr');
  // OIDC_GIVEN_NAME_CLAIM / OIDC_FAMILY_NAME_CLAIM: claims of the operator's choosing (an Entra ID or Keycloak mapper).
  const custom = { given: 'prenom', family: ['nom'] };
  assert.is(displayName({ prenom: 'Camille', nom: 'Martin', given_name: 'X', family_name: 'Y' }, null, custom), 'Camille Martin');
  assert.is(displayName({ name: 'C. Martin', given_name: 'X' }, null, custom), 'C. Martin');
  assert.is(displayName({ given_name: 'A'.repeat(100) }, null).length, 64);
  assert.is(verifiedEmail({ email: 'C.Martin@Ville.FR' }), 'c.martin@ville.fr');
  assert.is(verifiedEmail({ email: 'c@v.fr', email_verified: false }), null);
  assert.is(verifiedEmail({ email: 'not an address' }), null);
});

test.run();
