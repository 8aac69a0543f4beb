-- Two-step verification: at most one row per user, present while the user has
-- a password. Secrets are never stored: password_hash and the answer hashes
-- are Argon2id in PHC form ($argon2id$v=19$m=..,t=..,p=..$salt$hash), each with
-- its own random salt; e-mail tokens are stored as their SHA-256, with their
-- expiry.
CREATE TABLE two_step (
    user_id            INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash      TEXT    NOT NULL,
    hint               TEXT    NOT NULL DEFAULT '',
    question_one       TEXT    NOT NULL DEFAULT '',
    answer_one_hash    TEXT    NOT NULL DEFAULT '',
    question_two       TEXT    NOT NULL DEFAULT '',
    answer_two_hash    TEXT    NOT NULL DEFAULT '',
    email              TEXT    NOT NULL DEFAULT '', -- confirmed recovery e-mail
    unconfirmed_email  TEXT    NOT NULL DEFAULT '', -- waiting for its token (136)
    email_token_hash   BLOB,                        -- the confirmation token's hash
    email_token_expires INTEGER NOT NULL DEFAULT 0,
    recovery_token_hash BLOB,                       -- the recovery token's hash (139)
    recovery_token_expires INTEGER NOT NULL DEFAULT 0,
    updated_at         INTEGER NOT NULL
) STRICT;

-- Wrong passwords, answers and tokens, counted like verify_guards: per kind
-- ('password', 'email', 'recovery'), one row per source and one with source ''
-- for the account as a whole.
CREATE TABLE two_step_guards (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locks        INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    window_start INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, kind, source)
) STRICT;

-- E-mails sent (confirmation and recovery tokens), for the send budget.
CREATE TABLE two_step_sends (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at INTEGER NOT NULL
) STRICT;
CREATE INDEX two_step_sends_user_time ON two_step_sends (user_id, sent_at);
