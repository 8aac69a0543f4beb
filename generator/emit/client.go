package emit

import (
	. "github.com/dave/jennifer/jen"
	"github.com/gapd/gapd/generator/ir"
)

// Client emits generated/client: a typed method per action over a Conn that
// correlates by request id, and a decoder for frames the server sends without
// a request (pushes).
func Client(s *ir.Spec, c Config) (Files, error) {
	pb := c.Import("pb")
	protoPkg := "google.golang.org/protobuf/proto"
	f := NewFile("client")
	f.HeaderComment("// " + Header)
	f.PackageComment("Package client is a typed gapd client: one method per action over a Conn.")

	f.Comment("Conn carries requests. Call sends one and waits for its answer: it sets r.Id when empty, sends action with req, and decodes the response with the same id into resp; an ErrorResponse comes back as a *wire.Error. Send sends one that is never answered.")
	f.Type().Id("Conn").Interface(
		Id("Call").Params(Id("ctx").Qual("context", "Context"), Id("action").Uint16(), Id("r").Op("*").Qual(pb, "Request"),
			Id("req"), Id("resp").Qual(protoPkg, "Message")).Error(),
		Id("Send").Params(Id("ctx").Qual("context", "Context"), Id("action").Uint16(), Id("r").Op("*").Qual(pb, "Request"),
			Id("req").Qual(protoPkg, "Message")).Error(),
	)
	f.Comment("Client calls actions over a Conn.")
	f.Type().Id("Client").Struct(Id("conn").Id("Conn"))
	f.Comment("New returns a Client over conn.")
	f.Func().Id("New").Params(Id("conn").Id("Conn")).Op("*").Id("Client").Block(Return(Op("&").Id("Client").Values(Id("conn"))))

	for _, a := range s.Actions {
		if a.Unanswered {
			f.Commentf("%s sends action %d, which is never answered. %s", a.Name, a.ID, oneLine(a.Doc))
			f.Func().Params(Id("c").Op("*").Id("Client")).Id(a.Name).
				Params(Id("ctx").Qual("context", "Context"), Id("req").Op("*").Qual(pb, a.Request.GoName)).Error().Block(
				If(Id("req").Dot("Request").Op("==").Nil()).Block(Id("req").Dot("Request").Op("=").New(Qual(pb, "Request"))),
				Return(Id("c").Dot("conn").Dot("Send").Call(Id("ctx"), Lit(int(a.ID)), Id("req").Dot("Request"), Id("req"))),
			)
			continue
		}
		f.Commentf("%s calls action %d and returns its %s. %s", a.Name, a.ID, a.Response.GoName, oneLine(a.Doc))
		f.Func().Params(Id("c").Op("*").Id("Client")).Id(a.Name).
			Params(Id("ctx").Qual("context", "Context"), Id("req").Op("*").Qual(pb, a.Request.GoName)).
			Params(Op("*").Qual(pb, a.Response.GoName), Error()).Block(
			If(Id("req").Dot("Request").Op("==").Nil()).Block(Id("req").Dot("Request").Op("=").New(Qual(pb, "Request"))),
			Id("resp").Op(":=").New(Qual(pb, a.Response.GoName)),
			If(Id("err").Op(":=").Id("c").Dot("conn").Dot("Call").Call(Id("ctx"), Lit(int(a.ID)), Id("req").Dot("Request"), Id("req"), Id("resp")), Id("err").Op("!=").Nil()).Block(
				Return(Nil(), Id("err"))),
			Return(Id("resp"), Nil()),
		)
	}

	f.Comment("NewMessage returns an empty message of the type a server frame with this action id carries: a response (30000 + id), an ErrorResponse (0) or another server message.")
	f.Func().Id("NewMessage").Params(Id("action").Uint16()).Params(Qual(protoPkg, "Message"), Bool()).Block(
		Switch(Id("action")).BlockFunc(func(g *Group) {
			for _, file := range s.Files {
				for _, m := range file.Messages {
					if m.Role == ir.RoleServer {
						g.Case(Lit(m.WireID)).Block(Return(New(Qual(pb, m.GoName)), True()))
					}
				}
			}
			for _, a := range s.Actions {
				g.Case(Lit(int(a.ResponseID))).Block(Return(New(Qual(pb, a.Response.GoName)), True()))
			}
		}),
		Return(Nil(), False()),
	)
	f.Comment("Decode decodes a server frame's payload by its action id.")
	f.Func().Id("Decode").Params(Id("action").Uint16(), Id("payload").Index().Byte()).Params(Qual(protoPkg, "Message"), Error()).Block(
		List(Id("m"), Id("ok")).Op(":=").Id("NewMessage").Call(Id("action")),
		If(Op("!").Id("ok")).Block(Return(Nil(), Qual("fmt", "Errorf").Call(Lit("client: unknown server action %d"), Id("action")))),
		If(Id("err").Op(":=").Qual(protoPkg, "Unmarshal").Call(Id("payload"), Id("m")), Id("err").Op("!=").Nil()).Block(
			Return(Nil(), Qual("fmt", "Errorf").Call(Lit("client: action %d: %w"), Id("action"), Id("err")))),
		Return(Id("m"), Nil()),
	)
	return render("client/client_gen.go", f)
}
