-- What ClientCondition needs to tell a returning client exactly what it
-- missed.
--
-- create_version is the room version at which a message was stored. With
-- message_version (raised by each edit) it tells a new message (created
-- after the version the client reported) from an edit of one it has.
-- Messages stored before this migration take their current message_version,
-- which is their creation version unless they were edited.
ALTER TABLE messages ADD COLUMN create_version INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET create_version = message_version;

-- Sync reads a room's changes in version order from the client's versions.
CREATE INDEX messages_room_created ON messages (room_id, create_version);

-- A member's mute of a room (ClientCondition's offline_mute, applied).
ALTER TABLE room_members ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
