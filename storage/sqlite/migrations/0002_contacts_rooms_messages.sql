-- Contacts, rooms and their messages.
-- Times are Unix seconds. Booleans are 0/1 integers. Enum columns hold the
-- protocol's enum numbers.

-- A contact is a phone number in someone's address book, whether or not it
-- belongs to a user yet: a contact who signs up later joins the list by phone.
CREATE TABLE contacts (
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    phone      TEXT    NOT NULL,                 -- E.164, like users.phone
    first_name TEXT    NOT NULL DEFAULT '',
    last_name  TEXT    NOT NULL DEFAULT '',
    client_id  TEXT    NOT NULL DEFAULT '',      -- the importer's own id for the entry
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, phone)
) STRICT, WITHOUT ROWID;
CREATE INDEX contacts_phone ON contacts (phone); -- who has this phone (mutual, sign-up)

-- A room is a one-to-one chat, a group or a channel (Room.Type).
-- version is the room's change counter: every new message, edit, status change
-- and delete takes the next value, and the message it touched records it, so
-- a client that reports the versions it holds can be sent exactly what it
-- misses. It only grows.
CREATE TABLE rooms (
    id              INTEGER PRIMARY KEY,
    type            INTEGER NOT NULL,            -- Room.Type: 0 chat, 1 group, 2 channel
    title           TEXT    NOT NULL DEFAULT '', -- groups and channels; a chat is titled by its peer
    description     TEXT    NOT NULL DEFAULT '',
    creator_id      INTEGER NOT NULL REFERENCES users (id),
    chat_key        TEXT    UNIQUE,              -- chats only: "low:high" user ids, one room per pair
    version         INTEGER NOT NULL DEFAULT 0,
    last_message_id INTEGER NOT NULL DEFAULT 0,  -- newest message, 0 for none
    created_at      INTEGER NOT NULL
) STRICT;

-- Who is in a room, and where each member stands in its history.
CREATE TABLE room_members (
    room_id   INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      INTEGER NOT NULL DEFAULT 0,        -- GroupRoom.Role / ChannelRoom.Role; 0 in chats
    start_id  INTEGER NOT NULL DEFAULT 0,        -- first message the member may see (0: all)
    clear_id  INTEGER NOT NULL DEFAULT 0,        -- the member cleared history up to this message
    seen_id   INTEGER NOT NULL DEFAULT 0,        -- newest message the member marked SEEN
    hidden    INTEGER NOT NULL DEFAULT 0,        -- 1 after ChatDelete, until new activity
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX room_members_user ON room_members (user_id, room_id);

-- Message ids are global, so (room, message) pairs stay unambiguous in forwards.
-- The *_version columns are values of rooms.version (see above); 0 means never.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    room_id         INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    author_id       INTEGER NOT NULL REFERENCES users (id),
    random_id       INTEGER NOT NULL DEFAULT 0,  -- the sender's idempotency key; 0 for none
    type            INTEGER NOT NULL,            -- RoomMessageType
    body            TEXT    NOT NULL DEFAULT '', -- message text or caption
    attachment_id   INTEGER,                     -- files.id (the files migration), NULL for none
    location_lat    REAL,
    location_lon    REAL,
    contact         TEXT,                        -- RoomMessageContact as JSON, NULL for none
    log_type        INTEGER,                     -- RoomMessageLog.Type, NULL for none
    log_target      INTEGER,                     -- RoomMessageLog target user, NULL for none
    reply_to        INTEGER,                     -- messages.id in the same room
    forward_id      INTEGER,                     -- messages.id of the forwarded original
    status          INTEGER NOT NULL DEFAULT 2,  -- RoomMessageStatus, SENT on arrival
    edited          INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    message_version INTEGER NOT NULL,            -- at creation, raised by each edit
    status_version  INTEGER NOT NULL DEFAULT 0,
    delete_version  INTEGER NOT NULL DEFAULT 0,
    previous_id     INTEGER NOT NULL DEFAULT 0,  -- the room's message before this one
    create_time     INTEGER NOT NULL,
    update_time     INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_room ON messages (room_id, id);
-- One stored message per (room, sender, random_id): a resend finds it here.
CREATE UNIQUE INDEX messages_random ON messages (room_id, author_id, random_id) WHERE random_id <> 0;
CREATE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;
