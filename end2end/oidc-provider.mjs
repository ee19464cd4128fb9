// A real OpenID Connect provider on loopback for the SSO tests (oauth2-mock-server:
// discovery, JWKS, authorization code with PKCE, RS256-signed ID tokens with nonce).
// The claims of the next ID token are set through a small control endpoint, so each
// test decides who "signs in at Госуслуги"; `/rotate` makes it sign with a new key.
import http from 'node:http';
import { OAuth2Server } from 'oauth2-mock-server';

export async function startProvider(port, controlPort) {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  let claims = {};
  server.service.on('beforeTokenSigning', (token) => {
    Object.assign(token.payload, claims);
  });
  await server.start(port, '127.0.0.1');
  server.issuer.url = `http://127.0.0.1:${port}`;

  const control = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/claims') {
        claims = JSON.parse(body || '{}');
        res.writeHead(204).end();
      } else if (req.method === 'POST' && req.url === '/rotate') {
        // A new signing key, used for the next token: what Tabel fetched at its first
        // sign-in does not have it.
        server.issuer.keys
          .generate('RS256')
          .then(() => {
            server.issuer.keys.get(); // the old key goes behind the new one
            res.writeHead(204).end();
          })
          .catch(() => res.writeHead(500).end());
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise((resolve) => control.listen(controlPort, '127.0.0.1', resolve));
  return {
    async stop() {
      await server.stop();
      await new Promise((resolve) => control.close(resolve));
    },
  };
}
