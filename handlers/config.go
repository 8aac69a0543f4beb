package handlers

import "time"

// Config is the operator's settings for the handlers, as package config
// reads them from the flags; what the handlers need from the running
// process is Deps. Zero fields get defaults in New (Codes by
// CodePolicy.WithDefaults, Files by FileOptions.WithDefaults), except
// DeleteForBothPeriod, whose zero means never.
type Config struct {
	// Codes is the verification code policy (the codes section of -limits).
	Codes CodePolicy

	// Files are the limits of uploads and downloads (-max-file-size,
	// -max-user-storage; MaxFrame follows the server's -max-frame).
	Files FileOptions

	// MutualOnly refuses the first message of a chat (234/1) unless the two
	// users have each other as contacts (-mutual-only).
	MutualOnly bool

	// MaxRoomMembers is how many members a group or channel may have; an
	// addition beyond it is the action's FORBIDDEN (-max-room-members).
	// 0: DefaultMaxRoomMembers.
	MaxRoomMembers int

	// SessionIdle is how long a session's token lives without a login
	// (-session-idle); 0: DefaultSessionIdle.
	SessionIdle time.Duration

	// DeleteForBothPeriod is how long after sending the author may delete a
	// chat message for both sides (-delete-for-both-period); 0: never.
	DeleteForBothPeriod time.Duration

	// ICEServers are what SignalingGetConfiguration names (-ice-servers).
	ICEServers []ICEServer

	// Node is this node's name (-node): presence records which node saw a
	// user ONLINE, so that the users of a node that died can be told.
	Node string
}

// DefaultSessionIdle is how long an unused token lives: a device away for
// half a year signs in again.
const DefaultSessionIdle = 180 * 24 * time.Hour

// DefaultDeleteForBothPeriod is -delete-for-both-period's default: long
// enough to take back a message sent by mistake, short enough that a
// conversation's record stays settled. (A zero Config means never.)
const DefaultDeleteForBothPeriod = 48 * time.Hour
