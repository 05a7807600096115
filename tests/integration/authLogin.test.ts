import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meAnswerSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { signIn } from '../helpers/signIn.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';

const login = suite<{ pair?: SignInPair }>('sign-in: the login round trip');

login.before(async (ctx) => {
  ctx.pair = await startSignInPair({ OIDC_ALLOWED_EMAIL_DOMAINS: 'ville.example' });
});
login.after(async (ctx) => {
  await ctx.pair?.close();
});

login('AUTH-1/5/10 a login round trip: /api/me says who, with the name the provider writes', async (ctx) => {
  const { srv } = ctx.pair!;
  const before = meAnswerSchema.parse(await (await fetch(`${srv.url}/api/me`)).json());
  assert.equal(before, { signedIn: false, loginAvailable: true, preset: 'generic' });
  const result = await signIn(srv.url, { account: 'camille', returnTo: '/room/abc' });
  assert.is(result.landedAt, `${srv.url}/room/abc`);
  const me = meAnswerSchema.parse(await (await fetch(`${srv.url}/api/me`, { headers: { cookie: result.cookieHeader } })).json());
  assert.equal({ ...me, expiresAt: undefined }, { signedIn: true, name: 'Camille Martin', email: 'camille.martin@ville.example', preset: 'generic', expiresAt: undefined, ownersMayRecord: false });
});

exitAfterRun(login);
