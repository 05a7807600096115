import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meAnswerSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { callbackUrl, signIn } from '../helpers/signIn.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';

/**
 * The ProConnect preset (docs/spec/auth.md AUTH-4…7) against a real provider that issues whatever
 * `acr` the login reached (its own essential-acr check is off): the second factor is demanded
 * through the `claims` parameter and checked by this server, the name comes from `usual_name` of
 * a signed userinfo (application/jwt, as ProConnect answers), the client authenticates with
 * client_secret_post, and only the organisations of the allow-list (`siret`) get in.
 */
const proconnect = suite<{ pair?: SignInPair }>('sign-in: the ProConnect preset, the second factor and the allow-list');

proconnect.before(async (ctx) => {
  ctx.pair = await startSignInPair({ OIDC_PRESET: 'proconnect', OIDC_ALLOWED_ORGANISATIONS: '21750001600019' }, { clientAuth: 'client_secret_post', signedUserinfo: true });
});
proconnect.after(async (ctx) => {
  await ctx.pair?.close();
});

const errorCode = (res: Response) => (res.headers.get('location') ?? '').replace('/connexion/erreur?code=', '');

proconnect('AUTH-4/6 the authorization request: ProConnect\'s scopes, the acr demanded as essential through `claims`', async (ctx) => {
  const { srv } = ctx.pair!;
  const { authorization } = await callbackUrl(srv.url, { account: 'alix', acr: 'eidas2' });
  const p = authorization.searchParams;
  assert.is(p.get('scope'), 'openid given_name usual_name email uid siret idp_id');
  assert.equal(JSON.parse(p.get('claims')!), { id_token: { acr: { essential: true, values: ['eidas1-mfa', 'eidas2', 'eidas3'] }, amr: null } });
  assert.is(p.get('acr_values'), null);
  assert.equal(meAnswerSchema.parse(await (await fetch(`${srv.url}/api/me`)).json()), { signedIn: false, loginAvailable: true, preset: 'proconnect' });
});

proconnect('AUTH-6 a login without the second factor (acr eidas1) is refused by this server: second_factor_required', async (ctx) => {
  const { srv } = ctx.pair!;
  const { browser, callback } = await callbackUrl(srv.url, { account: 'alix', acr: 'eidas1' });
  const res = await browser.request(callback.href);
  assert.is(errorCode(res), 'second_factor_required');
  assert.is(browser.jar.get('127.0.0.1', 'nomades_session'), undefined);
});

proconnect('AUTH-5/6 with the second factor: signed in, named from given_name + usual_name, email lower-cased', async (ctx) => {
  const { srv } = ctx.pair!;
  const { cookieHeader } = await signIn(srv.url, { account: 'alix', acr: 'eidas2' });
  const me = meAnswerSchema.parse(await (await fetch(`${srv.url}/api/me`, { headers: { cookie: cookieHeader } })).json());
  assert.ok(me.signedIn);
  assert.equal([me.signedIn && me.name, me.signedIn && me.email, me.preset], ['Alix Bernard', 'alix.bernard@ville.example', 'proconnect']);
  assert.match(ctx.pair!.op.userinfoTypes.at(-1) ?? '', /^application\/jwt/, 'the userinfo was a signed JWT');
});

proconnect('AUTH-7 the allow-list by organisation (siret): another organisation is refused even with the second factor', async (ctx) => {
  const { srv } = ctx.pair!;
  const { browser, callback } = await callbackUrl(srv.url, { account: 'dominique', acr: 'eidas3' });
  assert.is(errorCode(await browser.request(callback.href)), 'not_allowed');
  assert.ok(await signIn(srv.url, { account: 'camille', acr: 'eidas1-mfa' }), 'an agent of the organisation, eidas1-mfa');
});

exitAfterRun(proconnect);
