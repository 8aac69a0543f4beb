package emit

import (
	. "github.com/dave/jennifer/jen"
	"github.com/gapd/gapd/generator/ir"
)

// pbReply emits generated/pb/reply_gen.go: the Reply interface and a
// SetResponse method on every action's response message, so that code
// sets a response's header (field 1) through its type, with no reflection.
func pbReply(s *ir.Spec) (Files, error) {
	f := NewFile("pb")
	f.HeaderComment("// " + Header)
	f.Comment("Reply is a response message: field 1 of every response is its Response header.")
	f.Type().Id("Reply").Interface(
		Qual("google.golang.org/protobuf/proto", "Message"),
		Id("GetResponse").Params().Op("*").Id("Response"),
		Id("SetResponse").Params(Op("*").Id("Response")),
	)
	seen := map[*ir.Message]bool{}
	for _, a := range s.Actions {
		m := a.Response
		if seen[m] {
			continue
		}
		seen[m] = true
		f.Commentf("SetResponse sets the header of a %s.", m.GoName)
		f.Func().Params(Id("x").Op("*").Id(m.GoName)).Id("SetResponse").Params(Id("r").Op("*").Id("Response")).Block(
			Id("x").Dot("Response").Op("=").Id("r"))
	}
	return render("pb/reply_gen.go", f)
}
