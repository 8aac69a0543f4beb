-- A member's pin of a room (ClientPinRoom): 0 unpinned, otherwise larger
-- than every other pin of the same user when it was set, so the room list
-- puts the most recently pinned room on top.
ALTER TABLE room_members ADD COLUMN pin_id INTEGER NOT NULL DEFAULT 0;
