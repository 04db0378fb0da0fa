// A certified OpenID Provider (panva/oidc-provider) on loopback for the sign-in integration tests.
//
// Usage: node server.js '<json config>'   config = {clientId, clientSecret, redirectUris, postLogoutRedirectUris}
// Listens on 127.0.0.1 at a free port and prints one line "listening <issuer>" once it serves requests.
// Sign-in uses the package's development interactions: POST /interaction/<uid> with prompt=login&login=<account>,
// then prompt=consent. Only the accounts below exist.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] || '{}');

const ACCOUNTS = {
  alice: {
    preferred_username: 'Alice', email: 'alice@example.test', email_verified: true, name: 'Alice Liddell',
  },
  mallory: {
    preferred_username: 'mallory', email: 'mallory@example.test', email_verified: true, name: 'Mallory Evil',
  },
  carol: { email: 'Carol.Jones@Example.test', email_verified: true, name: 'Carol Jones' },
};

async function findAccount(ctx, id) {
  const profile = ACCOUNTS[id];
  if (!profile) return undefined;
  return { accountId: id, claims: async () => ({ sub: id, ...profile }) };
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.clientId,
      client_secret: config.clientSecret,
      redirect_uris: config.redirectUris,
      post_logout_redirect_uris: config.postLogoutRedirectUris || [],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    cookies: { keys: ['oidc-test-cookie-key-not-secret'] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-rsa', use: 'sig', alg: 'RS256' }] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    findAccount,
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
