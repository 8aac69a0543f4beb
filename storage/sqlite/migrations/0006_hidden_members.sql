-- Every new message brings its room back for the members who had deleted it
-- (qUnhideAll). Few members ever are: this index lets that statement touch
-- only them instead of walking every member of a group on every send.
CREATE INDEX room_members_hidden ON room_members (room_id) WHERE hidden = 1;
