package storage

// Ids of rows of different tables are all int64 underneath, which let a room
// id pass where a user id was wanted. Each table's id has its own type, so
// such a mix-up no longer compiles; converting on purpose (from a protocol
// id, say) is still one conversion away. database/sql scans into and binds
// them by their kind, like int64.

// UserID names a row of users.
type UserID int64

// RoomID names a row of rooms.
type RoomID int64

// MessageID names a row of messages; message ids grow with time across all
// rooms, so they also order a room's history.
type MessageID int64

// SessionID names a row of sessions (one device's login).
type SessionID int64

// FileID names a row of files: one user's upload (messages.attachment_id).
type FileID int64

// ContentID names a row of file_contents: stored bytes, shared by uploads.
type ContentID int64

// Version is a value of a room's change counter (Room.Version): every
// change to the room's messages takes the next one (NextVersion).
type Version int64

// ReportID names a row of user_reports: one user's report of another.
type ReportID int64
