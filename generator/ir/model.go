// Package ir is the checked model of the spec that every emitter walks.
// Build turns raw spec entries into it and refuses an inconsistent spec; after
// Build succeeds, emitters can trust every reference in the model.
package ir

import (
	"github.com/gapd/gapd/generator/spec"
	"github.com/gapd/gapd/wire"
)

// Pos is where an entry was written in the spec.
type Pos = spec.Pos

// Spec is the whole protocol.
type Spec struct {
	Files   []*File   // proto files: types first, then the domains in name order
	Actions []*Action // by id
	Errors  []*Error  // by code
	Groups  []*Group  // catalogue order
	Roles   *Roles    // nil without roles.yaml
	// Payloads are the tables of what each value of an enum carries
	// (types.yaml payloads), by enum.
	Payloads []*Payload

	// System errors the runtime raises itself, found by name.
	BadRequest, LoginRequired, NewClientInSession, Timeout, InternalServerError *Error
	// FloodRequest answers a request over its class's budget (with wait).
	FloodRequest *Error

	actionByID map[uint32]*Action
	errorByCod map[uint32]*Error
}

// Action returns the action with the given request id.
func (s *Spec) Action(id uint32) *Action { return s.actionByID[id] }

// Error returns the error with the given code.
func (s *Spec) Error(code uint32) *Error { return s.errorByCod[code] }

// File is one .proto file: types.proto or a domain's actions.
type File struct {
	Name     string // "types", "chat", ...
	Source   string // spec path it came from
	Messages []*Message
	Enums    []*Enum
	Actions  []*Action
	Deps     []*File // files whose types this file uses
}

// MessageRole says why a message exists.
type MessageRole int

const (
	RoleType     MessageRole = iota // a shared or nested type
	RoleRequest                     // the request of an action
	RoleResponse                    // the response of an action
	RoleServer                      // sent by the server without a request (WireID)
)

// Message is a protobuf message.
type Message struct {
	Pos
	Name     string // local name
	FullName string // dotted from the file's top level: ClientCondition.Room
	GoName   string // ClientCondition_Room, as protoc-gen-go names it
	Doc      string
	Parent   *Message
	File     *File
	Role     MessageRole
	Action   *Action // for requests and responses, and types nested in them
	WireID   int     // frame action id, or -1
	Fields   []*Field
	Messages []*Message
	Enums    []*Enum
}

// Kind is what a field holds.
type Kind int

const (
	KindScalar Kind = iota
	KindEnum
	KindMessage
)

// Field is one field of a message.
type Field struct {
	Pos
	Number   int32
	Name     string
	GoName   string // RoomId
	Kind     Kind
	Scalar   string // uint64, string, ... when Kind == KindScalar
	Enum     *Enum
	Message  *Message
	Repeated bool
	Doc      string
	Parent   *Message
	Rules    []*Rule // field rules written on this field
}

// TypeName is the field's type as written in .proto (relative to package).
func (f *Field) TypeName() string {
	switch f.Kind {
	case KindEnum:
		return f.Enum.FullName
	case KindMessage:
		return f.Message.FullName
	}
	return f.Scalar
}

// Enum is a protobuf enum.
type Enum struct {
	Pos
	Name     string
	FullName string
	GoName   string // RoomMessageType, ClientGetRoomHistory_Direction
	Doc      string
	Parent   *Message
	File     *File
	Values   []*EnumValue
}

// Value returns the value with the given name, or nil.
func (e *Enum) Value(name string) *EnumValue {
	for _, v := range e.Values {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// EnumValue is one value of an enum.
type EnumValue struct {
	Name   string
	Number int32
	GoName string // pb identifier: RoomMessageType_TEXT, ClientGetRoomHistory_UP
	Enum   *Enum
}

// Action is a request id with its request, response, errors and rules.
type Action struct {
	Pos
	ID         uint32
	ResponseID uint32
	Name       string
	Doc        string
	Domain     string
	Login      bool
	Push       bool
	// Transport actions are answered by the server's transport (the
	// connection securing, the heartbeat), never by a handler: they are
	// left out of the dispatch table and the validators.
	Transport bool
	// Unanswered transport actions get no answer at all (Heartbeat: the
	// server's heartbeat is the push, and answering the client's would
	// start a ping-pong); the typed client sends them without waiting.
	Unanswered bool
	// Limit is the rate class whose budget the action's requests spend;
	// ClassNone only for transport actions.
	Limit      wire.Class
	Request    *Message
	Response   *Message
	BadPayload *Error // may be nil
	Internal   *Error // may be nil
	Also       []*Error
	Checks     []*Rule // cross-field and path rules, in written order
	// HandlerMinors are bad_payload minors only behaviour can decide.
	HandlerMinors []*Minor
	// Limits are the numbers its behaviour and rules share, in written order.
	Limits []*Limit
	// Refusals are its answers by what went wrong, in RefusalKinds order.
	Refusals []*Refusal
}

// Errors returns every error the action can return, bad payload and internal
// first.
func (a *Action) Errors() []*Error {
	var out []*Error
	if a.BadPayload != nil {
		out = append(out, a.BadPayload)
	}
	if a.Internal != nil {
		out = append(out, a.Internal)
	}
	return append(out, a.Also...)
}

// Group is a catalogue section.
type Group struct {
	Key     string // user
	Heading string // User Errors (1xx)
	Errors  []*Error
}

// Error is one error of the catalogue.
type Error struct {
	Pos
	Code        uint32
	Name        string // CHAT_SEND_MESSAGE_BAD_PAYLOAD
	GoName      string // ChatSendMessageBadPayload
	Group       *Group
	Virtual     bool
	Action      *Action // nil for system errors
	Wait        bool
	Description string
	Correction  string
	Star        *Row
	StarMinor   uint32 // the minor code sent with the star row (0 unless the spec says)
	Minors      []*Minor
	Later       bool // from a later release of the API, not the seed

	actionID uint32 // as written; resolved into Action by Build
}

// HasTable reports whether the catalogue shows a minor-code table.
func (e *Error) HasTable() bool { return e.Star != nil || len(e.Minors) > 0 }

// Minor returns the numbered minor with the given code, or nil.
func (e *Error) Minor(code uint32) *Minor {
	for _, m := range e.Minors {
		if m.Code == code {
			return m
		}
	}
	return nil
}

// Row is the "*" row of a minor-code table.
type Row struct{ Detail, Reaction string }

// Minor is a numbered row of an error's table.
type Minor struct {
	Pos
	Code     uint32
	ID       string // snake_case
	GoName   string // error's GoName + CamelCase(ID)
	Detail   string
	Reaction string
	Error    *Error
	Rules    []*Rule // rules that return it
	Handler  bool    // listed in handler_minors
}
