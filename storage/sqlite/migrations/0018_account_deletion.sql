-- Deleting accounts (UserGetDeleteToken, UserDelete) and self-removal after
-- months without a login (UserProfileSetSelfRemove).
--
-- A deleted account keeps its row, because its messages stay in their rooms
-- (messages.author_id) and rooms name their creator: deleted_at is set, the
-- phone becomes 'deleted:<id>' and the username '~<id>' (neither is a value a
-- client can sign up with or choose), the profile is emptied and every row
-- of other tables about the user is removed (storage.EraseUser).
ALTER TABLE users ADD COLUMN deleted_at INTEGER NOT NULL DEFAULT 0; -- 0: not deleted
-- Months without a login after which the account is deleted; 0: never.
ALTER TABLE users ADD COLUMN self_remove INTEGER NOT NULL DEFAULT 0;
CREATE INDEX users_self_remove ON users (id) WHERE self_remove > 0 AND deleted_at = 0;

-- The deletion token (at most one live per user; only its hash), counted
-- like sign-up codes: sends per source and per account, wrong guesses per
-- source and per account (see 0009).
CREATE TABLE delete_codes (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB    NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE delete_code_sends (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source  TEXT    NOT NULL,
    sent_at INTEGER NOT NULL
) STRICT;
CREATE INDEX delete_code_sends_user ON delete_code_sends (user_id, source, sent_at);
CREATE INDEX delete_code_sends_time ON delete_code_sends (sent_at);

CREATE TABLE delete_guards (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source       TEXT    NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locks        INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    window_start INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, source)
) STRICT;

-- A device not logged in that asked to be let in by a logged-in one
-- (QrCodeNewDevice): the hash of the token its QR code shows, what it said
-- of itself, and until when the token is good. UserVerifyNewDevice takes
-- the row and makes a session of it.
CREATE TABLE device_links (
    token_hash        BLOB    PRIMARY KEY,
    app_name          TEXT    NOT NULL DEFAULT '',
    app_id            INTEGER NOT NULL DEFAULT 0,
    app_build_version INTEGER NOT NULL DEFAULT 0,
    app_version       TEXT    NOT NULL DEFAULT '',
    platform          INTEGER NOT NULL DEFAULT 0,
    platform_version  TEXT    NOT NULL DEFAULT '',
    device            INTEGER NOT NULL DEFAULT 0,
    device_name       TEXT    NOT NULL DEFAULT '',
    ip                TEXT    NOT NULL DEFAULT '',
    expires_at        INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX device_links_expiry ON device_links (expires_at);
