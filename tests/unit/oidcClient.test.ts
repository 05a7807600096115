import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger, loadConfig } from '@nomades/server';
import { AuthFailure } from '../../server/src/auth/AuthFailure.js';
import { OidcClient } from '../../server/src/auth/OidcClient.js';
import { OidcProvider } from '../helpers/OidcProvider.js';

/**
 * The OpenID client's requests against a real provider (oidc-provider 9): the generic preset
 * demands its acr values with `acr_values` (AUTH-4/6), the end-session URL carries the ID token
 * hint, the state and the exact post-logout URI (AUTH-11), and a discovery document of another
 * issuer is refused (AUTH-1).
 */
const log = createLogger('silent');
const RP = 'http://127.0.0.1:9';
const clientFor = (issuer: string, env: Record<string, string> = {}) =>
  new OidcClient(loadConfig({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'nomades-test', OIDC_CLIENT_SECRET: 'x', PUBLIC_URL: RP, ...env }).auth.oidc!, log);

test('AUTH-4/6 generic preset with OIDC_ACR_VALUES: acr_values, no claims parameter; AUTH-11 the end-session URL', async () => {
  const op = await OidcProvider.start({ rpUrl: RP });
  try {
    const client = clientFor(op.issuer, { OIDC_ACR_VALUES: 'eidas2,eidas3', OIDC_SCOPES: 'openid email' });
    const start = await client.begin();
    const url = new URL(start.url);
    assert.equal([url.searchParams.get('acr_values'), url.searchParams.get('claims'), url.searchParams.get('scope')], ['eidas2 eidas3', null, 'openid email']);
    assert.is(url.searchParams.get('state'), start.state);
    assert.is(url.searchParams.get('nonce'), start.nonce);
    assert.is.not(url.searchParams.get('code_challenge'), start.codeVerifier, 'S256 of the verifier, not the verifier');
    const end = new URL((await client.endSessionUrl('eyJ.hint.x', 'st'))!);
    assert.equal(
      [end.pathname, end.searchParams.get('id_token_hint'), end.searchParams.get('state'), end.searchParams.get('post_logout_redirect_uri'), end.searchParams.get('client_id')],
      ['/session/end', 'eyJ.hint.x', 'st', `${RP}/`, 'nomades-test'],
    );
  } finally {
    await op.close();
  }
});

test('AUTH-1 a provider whose discovery document names another issuer is refused', async () => {
  const op = await OidcProvider.start({ rpUrl: RP });
  try {
    // Same server, reached as 127.0.0.1: its document says http://localhost:<port>.
    const client = clientFor(op.issuer.replace('localhost', '127.0.0.1'));
    try {
      await client.begin();
      assert.unreachable('accepted');
    } catch (error) {
      assert.instance(error, AuthFailure);
      assert.is((error as AuthFailure).code, 'provider_unavailable');
    }
  } finally {
    await op.close();
  }
});

test.run();
