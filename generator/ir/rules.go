package ir

// RuleKind is what a rule checks.
type RuleKind int

const (
	// RuleField holds a set of constraints on one value reached by Path.
	RuleField RuleKind = iota
	// RuleWhen requires Require to be set when When's enum is one of WhenValues.
	RuleWhen
	// RuleExclusive forbids setting more than one of Fields.
	RuleExclusive
	// RuleRequireAny requires at least one of Fields (under Path, if set).
	RuleRequireAny
	// RuleUnique forbids two entries of a list sharing a field's value.
	RuleUnique
)

// Rule is one validation rule. It always returns Minor of the action's bad
// payload error.
type Rule struct {
	Pos
	Kind   RuleKind
	Minor  *Minor
	Action *Action
	Doc    string

	// Path leads from the request (or, for rules written on a field of a
	// nested request message, from that message) to the value checked: for
	// RuleField the value itself, for RuleRequireAny the parent message, for
	// RuleUnique the repeated message field whose entries are compared.
	Path []*Field
	// Nested is true for rules written on a field of a nested request message;
	// their Path starts at that message.
	Nested bool

	// RuleField constraints; nil or zero when absent.
	Required  bool
	EnumKnown bool
	OneOf     []*EnumValue // the enum values allowed, when only some are
	Min, Max  *float64
	MinLen    *int
	MaxLen    *int
	MaxItems  *int
	Format    *Format
	With      *Field // the second value passed to Format

	// The limits MaxLen and MaxItems were written as, if named.
	MaxLenLimit, MaxItemsLimit *Limit

	// RuleWhen.
	When       *Field
	WhenValues []*EnumValue
	Require    []*Field // path

	// Payload is the table a RuleWhen was built from (a carries check).
	Payload *Payload

	// RuleExclusive and RuleRequireAny: fields of the message at Path (or the
	// request) of which at most / at least one is set. RuleUnique: the key field.
	Fields []*Field
}

// Target is the last field of the rule's path.
func (r *Rule) Target() *Field {
	if len(r.Path) == 0 {
		return nil
	}
	return r.Path[len(r.Path)-1]
}

// Format is a named check implemented by hand in package wire/check.
type Format struct {
	Name   string // as written in the spec
	Func   string // Go function in wire/check
	Scalar string // the value's scalar type
	With   string // scalar type of the second value; "" if none
	Doc    string
}

// Formats are the named checks a rule may use.
var Formats = map[string]*Format{
	"iso_country":    {Name: "iso_country", Func: "ISOCountry", Scalar: "string", Doc: "an ISO 3166-1 alpha-2 country code"},
	"phone_national": {Name: "phone_national", Func: "PhoneNational", Scalar: "uint64", With: "string", Doc: "a valid national phone number of the given country"},
	"phone":          {Name: "phone", Func: "Phone", Scalar: "string", Doc: "a phone number: E.164 (+ and digits) or national digits"},
	"email":          {Name: "email", Func: "Email", Scalar: "string", Doc: "a single e-mail address"},
	"name":           {Name: "name", Func: "Name", Scalar: "string", Doc: "a name others see: no control or bidi override/isolate characters, at least one visible character"},
	"message":        {Name: "message", Func: "Message", Scalar: "string", Doc: "message text: valid UTF-8, no control characters but tab and newline"},
	"username":       {Name: "username", Func: "Username", Scalar: "string", Doc: "a username: letters, digits and underscores"},
	"sha256":         {Name: "sha256", Func: "SHA256", Scalar: "bytes", Doc: "a SHA-256 digest (32 bytes)"},
	"token":          {Name: "token", Func: "Token", Scalar: "string", Doc: "an opaque token of printable ASCII"},
}
