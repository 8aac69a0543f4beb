// Package spec loads the YAML spec into raw entries that remember the file and
// line they came from. It checks only the YAML's shape (unknown keys, types);
// consistency is checked when the model is built (package ir).
package spec

// Pos is where an entry was written.
type Pos struct {
	File string
	Line int
}

// ErrorEntry is one error of errors.yaml or errors-later.yaml.
type ErrorEntry struct {
	Pos         `yaml:"-"`
	Code        uint32       `yaml:"code"`
	Name        string       `yaml:"name"`
	Group       string       `yaml:"group"`
	Kind        string       `yaml:"kind"`
	Action      uint32       `yaml:"action"`
	Wait        bool         `yaml:"wait"`
	Description string       `yaml:"description"`
	Correction  string       `yaml:"correction"`
	Star        *Row         `yaml:"star"`
	StarMinor   uint32       `yaml:"star_minor"`
	Minors      []MinorEntry `yaml:"minors"`
	Source      string       `yaml:"source"`
}

// Row is the catalogue's "*" row.
type Row struct {
	Detail   string `yaml:"detail"`
	Reaction string `yaml:"reaction"`
}

// MinorEntry is a numbered row of an error's minor-code table.
type MinorEntry struct {
	Pos      `yaml:"-"`
	Code     uint32 `yaml:"code"`
	ID       string `yaml:"id"`
	Detail   string `yaml:"detail"`
	Reaction string `yaml:"reaction"`
}

// Enum is an enum with its values in written order.
type Enum struct {
	Pos    `yaml:"-"`
	Name   string `yaml:"name"`
	Doc    string `yaml:"doc"`
	Values []EnumValue
}

// EnumValue is one name = number pair.
type EnumValue struct {
	Name   string
	Number int32
}

// Message is a message type, possibly with nested types.
type Message struct {
	Pos      `yaml:"-"`
	Name     string    `yaml:"name"`
	Doc      string    `yaml:"doc"`
	WireID   *int      `yaml:"wire_id"`
	Fields   []Field   `yaml:"fields"`
	Messages []Message `yaml:"messages"`
	Enums    []Enum    `yaml:"enums"`
}

// Field is one field of a message.
type Field struct {
	Pos      `yaml:"-"`
	N        int32  `yaml:"n"`
	Name     string `yaml:"name"`
	Type     string `yaml:"type"`
	Repeated bool   `yaml:"repeated"`
	Doc      string `yaml:"doc"`
	Rules    []Rule `yaml:"rules"`
}

// Rule is a validation rule: a field rule (on a field or, with Path, on a
// nested path) or a cross-field check.
type Rule struct {
	Pos        `yaml:"-"`
	Minor      uint32              `yaml:"minor"`
	Required   bool                `yaml:"required"`
	Enum       string              `yaml:"enum"`
	OneOf      []string            `yaml:"one_of"`
	Min        *float64            `yaml:"min"`
	Max        *float64            `yaml:"max"`
	MinLen     *int                `yaml:"min_len"`
	MaxLen     *Bound              `yaml:"max_len"`
	MaxItems   *Bound              `yaml:"max_items"`
	Format     string              `yaml:"format"`
	With       string              `yaml:"with"`
	Path       string              `yaml:"path"`
	When       map[string][]string `yaml:"when"`
	Require    string              `yaml:"require"`
	Exclusive  []string            `yaml:"exclusive"`
	RequireAny []string            `yaml:"require_any"`
	Unique     string              `yaml:"unique"`
	Carries    string              `yaml:"carries"`
	Doc        string              `yaml:"doc"`
}

// Action is one request/response pair.
type Action struct {
	Pos           `yaml:"-"`
	ID            uint32   `yaml:"id"`
	Name          string   `yaml:"name"`
	Doc           string   `yaml:"doc"`
	Login         *bool    `yaml:"login"`
	Push          bool     `yaml:"push"`
	Transport     bool     `yaml:"transport"`
	Answered      *bool    `yaml:"answered"`
	Limit         string   `yaml:"limit"`
	Errors        Bindings `yaml:"errors"`
	Request       Body     `yaml:"request"`
	Response      Body     `yaml:"response"`
	Checks        []Rule   `yaml:"checks"`
	HandlerMinors []uint32 `yaml:"handler_minors"`
	Limits        []Limit  `yaml:"limits"`
	// Refusals name the action's answers by what went wrong: "209/1" (an
	// error and its minor) or "211" (an error without minors).
	Refusals map[string]string `yaml:"refusals"`
}

// Bound is a length or count bound as written: a number, or the name of one
// of the action's limits.
type Bound string

// Limit is a number the action's behaviour and rules share, said once.
type Limit struct {
	Pos   `yaml:"-"`
	Name  string `yaml:"name"`
	Value int64  `yaml:"value"`
	Field string `yaml:"field"` // the request field it bounds, if any
	Doc   string `yaml:"doc"`
}

// Bindings names the catalogue errors an action can return.
type Bindings struct {
	BadPayload uint32   `yaml:"bad_payload"`
	Internal   uint32   `yaml:"internal"`
	Also       []uint32 `yaml:"also"`
}

// Body is a request or response: its fields and the types nested in it.
type Body struct {
	Fields   []Field   `yaml:"fields"`
	Messages []Message `yaml:"messages"`
	Enums    []Enum    `yaml:"enums"`
}

// TypesFile is types.yaml.
type TypesFile struct {
	Pos      `yaml:"-"`
	Enums    []Enum    `yaml:"enums"`
	Messages []Message `yaml:"messages"`
	Payloads []Payload `yaml:"payloads"`
}

// Payload is the table of what each value of an enum (RoomMessageType)
// carries; a send's carries check is built from it.
type Payload struct {
	Pos    `yaml:"-"`
	Enum   string       `yaml:"enum"`
	Doc    string       `yaml:"doc"`
	Values []PayloadRow `yaml:"values"`
}

// PayloadRow is one enum value: each part it carries names the bad-payload
// minor id a send gets without it.
type PayloadRow struct {
	Pos        `yaml:"-"`
	Value      string `yaml:"value"`
	Message    string `yaml:"message"`
	Attachment string `yaml:"attachment"`
	Location   string `yaml:"location"`
	Contact    string `yaml:"contact"`
	WithText   string `yaml:"with_text"` // the value it becomes once it carries text
	Doc        string `yaml:"doc"`
}

// ActionsFile is one actions/*.yaml.
type ActionsFile struct {
	Pos      `yaml:"-"`
	Domain   string    `yaml:"-"`
	Actions  []Action  `yaml:"actions"`
	Messages []Message `yaml:"messages"`
	Enums    []Enum    `yaml:"enums"`
}

// Spec is everything loaded from a spec directory.
type Spec struct {
	Dir     string
	Errors  []ErrorEntry
	Types   TypesFile
	Domains []ActionsFile
	Roles   *RolesFile // nil without roles.yaml
}

// RolesFile is roles.yaml: the ranks of a room's members and what each rank
// may do. It is optional; without it no roles are generated.
type RolesFile struct {
	Pos         `yaml:"-"`
	Enums       []string     `yaml:"enums"`
	Roles       []RoleEntry  `yaml:"roles"`
	Permissions []Permission `yaml:"permissions"`
}

// RoleEntry is one rank, highest first in the file.
type RoleEntry struct {
	Pos  `yaml:"-"`
	Name string `yaml:"name"`
	Doc  string `yaml:"doc"`
}

// Permission is one thing members may do, granted per action.
type Permission struct {
	Pos    `yaml:"-"`
	ID     string  `yaml:"id"`
	Doc    string  `yaml:"doc"`
	Lower  bool    `yaml:"lower"` // acts on a member, who must rank below the actor
	Grants []Grant `yaml:"grants"`
}

// Grant lists the roles that may call one action.
type Grant struct {
	Pos    `yaml:"-"`
	Action uint32   `yaml:"action"`
	Roles  []string `yaml:"roles"`
}
