-- Messages a member deleted for itself alone (ChatDeleteMessage without
-- both): left out of that member's history, room list, unread count and
-- catch-up, still there for the others. version is the room version the
-- hide took, so the member's other devices learn of it at ClientCondition
-- as a delete.
CREATE TABLE message_hides (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    room_id    INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (user_id, message_id)
) STRICT, WITHOUT ROWID;
-- Catch-up reads one member's hides of one room from a version on.
CREATE INDEX message_hides_room ON message_hides (user_id, room_id, version);
