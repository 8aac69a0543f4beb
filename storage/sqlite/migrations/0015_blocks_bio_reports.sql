-- Blocking (UserContactsBlock/Unblock/GetBlockedList), the bio
-- (UserProfileSetBio, RegisteredUser.bio) and reports of users (UserReport),
-- which operators list and resolve with tools/reports.

ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';

-- blocker has blocked blocked: blocked's chat sends to blocker are refused and
-- blocker's status, last seen and avatar are hidden from blocked.
CREATE TABLE user_blocks (
    blocker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_blocks_blocked ON user_blocks (blocked_id, blocker_id);

-- One row per report; resolved_at 0 while open. A reporter has at most one
-- open report of a user.
CREATE TABLE user_reports (
    id          INTEGER PRIMARY KEY,
    reporter_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      INTEGER NOT NULL,                    -- protocol UserReport.Reason enum
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER NOT NULL DEFAULT 0,
    resolution  TEXT    NOT NULL DEFAULT ''          -- the operator's note
) STRICT;
CREATE UNIQUE INDEX user_reports_open ON user_reports (reporter_id, user_id) WHERE resolved_at = 0;
CREATE INDEX user_reports_user ON user_reports (user_id);
