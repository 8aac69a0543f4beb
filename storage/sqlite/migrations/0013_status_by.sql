-- Who last raised a message's status (0: nobody yet), so that ClientCondition
-- tells a status change with the same updater_author_hash as the live push.
ALTER TABLE messages ADD COLUMN status_by INTEGER NOT NULL DEFAULT 0;
-- In a chat only the author's peer reports statuses; in a group the reporter
-- of earlier changes is not known.
UPDATE messages SET status_by = COALESCE((SELECT m.user_id FROM room_members m
        WHERE m.room_id = messages.room_id AND m.user_id <> messages.author_id LIMIT 1), 0)
    WHERE status > 2 AND room_id IN (SELECT id FROM rooms WHERE type = 0);
