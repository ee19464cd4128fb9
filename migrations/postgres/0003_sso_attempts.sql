-- An OpenID Connect sign-in between the redirect to the provider and its callback:
-- the state names it; the PKCE verifier and nonce must never reach the browser.
CREATE TABLE sso_attempts (
    state          TEXT    PRIMARY KEY,
    pkce_verifier  TEXT    NOT NULL,
    nonce          TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL
);
