-- Sign-up and login: accounts, verification codes, the send log that rate
-- limits codes, and the sessions (one per logged-in device).
-- Times are Unix seconds. Booleans are 0/1 integers.

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    phone      TEXT    NOT NULL UNIQUE,              -- E.164, normalised by the caller: +989121234567
    country    TEXT    NOT NULL,                     -- country code given at sign-up (ISO 3166-1 alpha-2)
    username   TEXT    NOT NULL UNIQUE COLLATE NOCASE, -- unique regardless of letter case
    nickname   TEXT    NOT NULL DEFAULT '',
    email      TEXT    NOT NULL DEFAULT '',
    gender     INTEGER NOT NULL DEFAULT 0,           -- protocol Gender enum
    blocked    INTEGER NOT NULL DEFAULT 0,
    verified   INTEGER NOT NULL DEFAULT 0,           -- 1 after the first successful verification
    created_at INTEGER NOT NULL
) STRICT;

-- At most one live code per user; only its hash is stored.
CREATE TABLE verify_codes (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash    BLOB    NOT NULL,
    expires_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,         -- wrong guesses against the current code
    locked_until INTEGER NOT NULL DEFAULT 0          -- no guesses accepted before this time
) STRICT;

-- One row per code sent; counting rows in a window rate-limits sending.
CREATE TABLE code_sends (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at INTEGER NOT NULL
) STRICT;
CREATE INDEX code_sends_user_time ON code_sends (user_id, sent_at);
CREATE INDEX code_sends_time ON code_sends (sent_at); -- pruning old rows

-- A session is one device's long-lived token; only the token's hash is kept.
-- The device facts are what UserLogin reports and UserSessionGetActiveList shows.
CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash        BLOB    NOT NULL UNIQUE,
    created_at        INTEGER NOT NULL,
    last_login_at     INTEGER NOT NULL DEFAULT 0,    -- 0 until the first UserLogin
    app_name          TEXT    NOT NULL DEFAULT '',
    app_id            INTEGER NOT NULL DEFAULT 0,
    app_build_version INTEGER NOT NULL DEFAULT 0,
    app_version       TEXT    NOT NULL DEFAULT '',
    platform          INTEGER NOT NULL DEFAULT 0,    -- protocol Platform enum
    platform_version  TEXT    NOT NULL DEFAULT '',
    device            INTEGER NOT NULL DEFAULT 0,    -- protocol Device enum
    device_name       TEXT    NOT NULL DEFAULT '',
    language          INTEGER NOT NULL DEFAULT 0,    -- protocol Language enum
    ip                TEXT    NOT NULL DEFAULT '',   -- address of the last login
    revoked           INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
