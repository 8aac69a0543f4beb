-- Sign-up budgets are counted per source (the client's address) as well as
-- per account, so that one source's abuse does not lock the owner out from
-- another. Older rows have no source and count only towards the account.
ALTER TABLE code_sends ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE INDEX code_sends_user_source_time ON code_sends (user_id, source, sent_at);

-- Wrong guesses at an account's codes, across resends: one row per source
-- that guessed, and one with source '' for the account as a whole (its
-- failures within the day that window_start opened).
CREATE TABLE verify_guards (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source       TEXT    NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0, -- since the last lock (a source) or in the window (the account)
    locks        INTEGER NOT NULL DEFAULT 0, -- locks so far; each lasts twice the one before
    locked_until INTEGER NOT NULL DEFAULT 0,
    window_start INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, source)
) STRICT;

-- Unverified accounts are reservations that expire.
CREATE INDEX users_unverified ON users (created_at) WHERE verified = 0;
