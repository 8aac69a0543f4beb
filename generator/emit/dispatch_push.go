package emit

import (
	. "github.com/dave/jennifer/jen"
	"github.com/gapd/gapd/generator/ir"
)

// dispatchPush emits generated/dispatch/push_gen.go: the Push value and one
// constructor per push action (push: true). A Push is made only by its
// action's constructor, which takes that action's response type, so its
// wire id cannot disagree with its message.
func dispatchPush(s *ir.Spec, c Config) (Files, error) {
	pb := c.Import("pb")
	f := NewFile("dispatch")
	f.HeaderComment("// " + Header)

	f.Comment("Push is a response sent to users' live sessions without a request. Only the Push constructors make one, so its action id always matches its message.")
	f.Type().Id("Push").Struct(
		Id("action").Uint16(),
		Id("msg").Qual(pb, "Reply"),
		Comment("To are the users whose sessions get it."),
		Id("To").Index().Uint64(),
	)
	f.Comment("Action is the push's wire id: its action's response id.")
	f.Func().Params(Id("p").Id("Push")).Id("Action").Params().Uint16().Block(Return(Id("p").Dot("action")))
	f.Comment("Message is the response the push carries.")
	f.Func().Params(Id("p").Id("Push")).Id("Message").Params().Qual(pb, "Reply").Block(Return(Id("p").Dot("msg")))

	for _, a := range s.Actions {
		if !a.Push {
			continue
		}
		f.Commentf("Push%s pushes msg, a %s response (%d), to the users to.", a.Name, a.Name, a.ResponseID)
		f.Func().Id("Push"+a.Name).Params(Id("msg").Op("*").Qual(pb, a.Response.GoName), Id("to").Op("...").Uint64()).Id("Push").Block(
			Return(Id("Push").Values(Dict{
				Id("action"): Id("Response" + a.Name),
				Id("msg"):    Id("msg"),
				Id("To"):     Id("to"),
			})))
	}
	return render("dispatch/push_gen.go", f)
}
