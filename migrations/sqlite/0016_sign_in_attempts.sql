-- Sign-in attempts are throttled per login *and* client address, so a stranger's
-- wrong guesses cannot lock the owner out. An attempt is written before its password
-- is verified (so parallel guesses count at once); a success deletes that address's
-- attempts, a refusal before verification (the server is busy) deletes its own row.
-- The old table held only minutes of data, so it is dropped, not copied.
DROP TABLE login_failures;
CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    login    TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    at       BIGINT  NOT NULL
);
CREATE INDEX login_attempts_login_at ON login_attempts (login, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- Addresses a login has signed in from: they are not held back when the login as a
-- whole is under attack from many addresses.
CREATE TABLE login_known_addresses (
    login    TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    at       BIGINT  NOT NULL,
    PRIMARY KEY (login, address)
);
