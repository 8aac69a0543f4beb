-- What later clients send with a message in ChatSendMessage, GroupSendMessage
-- and ChannelSendMessage (fields 11 and 12) and read back in RoomMessage
-- (fields 23 and 24): a number and a text gapd keeps without interpreting.
-- 0 and '' are "none", as the protocol's defaults.
ALTER TABLE messages ADD COLUMN additional_type INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN additional_data TEXT NOT NULL DEFAULT '';
