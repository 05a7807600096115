import net from 'node:net';
import { OidcProvider, type OidcProviderOptions } from './OidcProvider.js';
import { startTestServer, type TestServer, type TestServerOptions } from './testServer.js';

/** A free TCP port on 127.0.0.1 (PUBLIC_URL must be known before the server starts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SignInPair {
  srv: TestServer;
  op: OidcProvider;
  close(): Promise<void>;
}

/**
 * A nomades server on http://127.0.0.1:<port> signing in with a real OpenID provider on
 * http://localhost:<other port> (two sites: their cookies never mix), configured for it
 * (OIDC_ISSUER, client id and secret, PUBLIC_URL); `env` adds or overrides variables.
 */
export async function startSignInPair(
  env: Record<string, string> = {},
  providerOptions: Partial<OidcProviderOptions> = {},
  serverOptions: TestServerOptions = {},
): Promise<SignInPair> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const op = await OidcProvider.start({ rpUrl: publicUrl, ...providerOptions });
  let srv: TestServer;
  try {
    srv = await startTestServer(
      {
        PORT: String(port),
        PUBLIC_URL: publicUrl,
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: op.clientId,
        OIDC_CLIENT_SECRET: op.clientSecret,
        ...(providerOptions.clientAuth ? { OIDC_CLIENT_AUTH: providerOptions.clientAuth } : {}),
        ...env,
      },
      serverOptions,
    );
  } catch (error) {
    await op.close();
    throw error;
  }
  return {
    srv,
    op,
    async close() {
      await srv.close();
      await op.close();
    },
  };
}
