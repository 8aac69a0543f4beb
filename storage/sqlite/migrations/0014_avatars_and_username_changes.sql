-- A user's avatars (UserAvatarAdd): each names one complete upload whose
-- content is a processed image. The newest row (highest id) is the current
-- avatar; ids are never reused, so a client's cache of a deleted avatar
-- cannot be taken for a new one.
CREATE TABLE user_avatars (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_id    INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX user_avatars_user ON user_avatars (user_id, id);
CREATE INDEX user_avatars_file ON user_avatars (file_id);

-- When each user changed their username (UserProfileUpdateUsername), for its
-- change lock: only the changes within the lock's period matter, and older
-- rows are dropped as new ones are written.
CREATE TABLE username_changes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    changed_at INTEGER NOT NULL
);
CREATE INDEX username_changes_user ON username_changes (user_id, changed_at);
