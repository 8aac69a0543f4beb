package main

// Groups of the catalogue, in the order the seed's "# X Errors" headings use.
var groups = []string{"system", "user", "chat", "group", "channel", "info", "client", "file"}

// Kinds of error.
const (
	kindReal    = "real"    // sent to the client
	kindVirtual = "virtual" // only logged and counted by the server
)

// Error is one entry of spec/errors.yaml. The yaml tags are used to read an
// existing catalogue (-merge); writing goes through write.go, which fixes the
// key order and the layout.
type Error struct {
	Code        int     `yaml:"code"`
	Name        string  `yaml:"name"`
	Group       string  `yaml:"group"`
	Kind        string  `yaml:"kind"`
	Action      int     `yaml:"action"` // 0: none (system errors)
	Wait        bool    `yaml:"wait"`
	Description string  `yaml:"description"`
	Correction  string  `yaml:"correction"`
	Star        *Row    `yaml:"star"`
	StarMinor   int     `yaml:"star_minor"` // curated: the minor code the star row is sent with
	Minors      []Minor `yaml:"minors"`
	Source      string  `yaml:"source"` // "later" in errors-later.yaml; empty (= seed) here
}

// Row is the catalogue's "*" row of a minor-code table.
type Row struct {
	Detail   string `yaml:"detail"`
	Reaction string `yaml:"reaction"`
}

// Minor is a numbered row of a minor-code table.
type Minor struct {
	Code     int    `yaml:"code"`
	ID       string `yaml:"id"`
	Detail   string `yaml:"detail"`
	Reaction string `yaml:"reaction"`
}

// seedError is what the parser reads for one error: the entry without the
// parts that need the action index or the curated ids, plus the facts those
// steps need.
type seedError struct {
	Error
	Line    int       // line of the heading in the seed, for messages
	RawName string    // the name as the heading spells it, trailing spaces trimmed
	Link    *seedLink // the request link that ends the description; nil if none
}

// seedLink is a "[#N](../proto/README.md#action_M)" link. Text is N and Target
// is M, as written; either can be empty ("[#](...#action_)").
type seedLink struct {
	Text   string
	Target string
}
