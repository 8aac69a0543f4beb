-- Presence: what the user last said with UserUpdateStatus (1 ONLINE, 0
-- OFFLINE; also 0 once their last connection went) and when (Unix seconds;
-- 0: never).
ALTER TABLE users ADD COLUMN online INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;

-- Privacy rules: one row per user and protocol PrivacyType that the user
-- set; a missing row is ALLOW_ALL (0). level is the protocol PrivacyLevel.
CREATE TABLE privacy_rules (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type    INTEGER NOT NULL,
    level   INTEGER NOT NULL,
    PRIMARY KEY (user_id, type)
) STRICT, WITHOUT ROWID;
