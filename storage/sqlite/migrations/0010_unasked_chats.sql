-- ChatGetRoom puts a new chat in the list of the user who asked for it only:
-- the peer's membership is hidden until the first message (which unhides
-- every member, qUnhideAll). Chats opened before this rule and still
-- without a message leave the lists of the peers who never asked for them.
UPDATE room_members SET hidden = 1
WHERE hidden = 0
  AND room_id IN (SELECT id FROM rooms WHERE type = 0 AND last_message_id = 0)
  AND user_id <> (SELECT creator_id FROM rooms WHERE rooms.id = room_members.room_id);
