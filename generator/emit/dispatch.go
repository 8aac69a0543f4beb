package emit

import (
	. "github.com/dave/jennifer/jen"
	"github.com/gapd/gapd/generator/ir"
)

// Dispatch emits generated/dispatch: the Handlers interface that hand-written
// behaviour implements, the Unimplemented value, action id constants, and the
// Server that routes each action to a typed call of its Handlers. The Dispatcher that runs a request (decode, login check,
// validation, panic recovery, error mapping) is hand-written in package wire
// and driven by this table, so that logic exists once for every action.
func Dispatch(s *ir.Spec, c Config) (Files, error) {
	pb, wire, errs, validate := c.Import("pb"), c.Module+"/wire", c.Import("errs"), c.Import("validate")
	f := NewFile("dispatch")
	f.HeaderComment("// " + Header)
	f.PackageComment("Package dispatch is the action table: ids, the Handlers interface and the routes a wire.Dispatcher runs.")

	f.Comment("Request action ids.")
	f.Const().DefsFunc(func(g *Group) {
		for _, a := range s.Actions {
			g.Id("Action" + a.Name).Uint16().Op("=").Lit(int(a.ID))
		}
	})
	f.Comment("Response ids: the wire id of each action's response, and of its pushes.")
	f.Const().DefsFunc(func(g *Group) {
		for _, a := range s.Actions {
			g.Id("Response" + a.Name).Uint16().Op("=").Lit(int(a.ResponseID))
		}
	})
	var server []Code
	for _, file := range s.Files {
		for _, m := range file.Messages {
			if m.Role == ir.RoleServer {
				server = append(server, Id("Message"+m.GoName).Uint16().Op("=").Lit(m.WireID))
			}
		}
	}
	if len(server) > 0 {
		f.Comment("Ids of messages the server sends without a request.")
		f.Const().Defs(server...)
	}

	// Transport actions have an id (above) but no handler and no route.
	var routed []*ir.Action
	for _, a := range s.Actions {
		if !a.Transport {
			routed = append(routed, a)
		}
	}

	f.Comment("Handlers is implemented by hand-written behaviour. Dispatch calls a method only with a decoded, validated request, and only after the login check; a returned *wire.Error is sent as is, any other error becomes the action's internal server error.")
	f.Type().Id("Handlers").InterfaceFunc(func(g *Group) {
		for _, a := range routed {
			g.Commentf("%s handles action %d. %s", a.Name, a.ID, oneLine(a.Doc))
			g.Id(a.Name).Params(Id("ctx").Qual("context", "Context"), Id("s").Qual(wire, "Session"), Id("req").Op("*").Qual(pb, a.Request.GoName)).
				Params(Op("*").Qual(pb, a.Response.GoName), Error())
		}
	})

	f.Comment("Unimplemented answers every action with wire.ErrNotImplemented: for tests, and for a new server built one domain at a time. Production handlers must not embed it, so that an action added to the spec without behaviour fails to compile.")
	f.Type().Id("Unimplemented").Struct()
	f.Var().Id("_").Id("Handlers").Op("=").Id("Unimplemented").Values()
	for _, a := range routed {
		f.Commentf("%s is not implemented.", a.Name)
		f.Func().Params(Id("Unimplemented")).Id(a.Name).Params(Qual("context", "Context"), Qual(wire, "Session"), Op("*").Qual(pb, a.Request.GoName)).
			Params(Op("*").Qual(pb, a.Response.GoName), Error()).Block(Return(Nil(), Qual(wire, "ErrNotImplemented")))
	}

	protoMsg := Qual("google.golang.org/protobuf/proto", "Message")

	// The routes' facts, one value per action; a Server copies them and
	// adds the call into its Handlers.
	for _, a := range routed {
		d := Dict{
			Id("ID"):         Id("Action" + a.Name),
			Id("ResponseID"): Id("Response" + a.Name),
			Id("Name"):       Lit(a.Name),
			Id("Login"):      Lit(a.Login),
			Id("Push"):       Lit(a.Push),
			// The class's Go name follows from its spec name (wire.Class).
			Id("Limit"):       Qual(wire, "Class"+ir.GoCamelCase(a.Limit.String())),
			Id("NewRequest"):  Func().Params().Add(protoMsg).Block(Return(New(Qual(pb, a.Request.GoName)))),
			Id("NewResponse"): Func().Params().Add(protoMsg).Block(Return(New(Qual(pb, a.Response.GoName)))),
		}
		// An action the catalogue gives no internal error of its own
		// answers a failure with BAD_REQUEST: the system INTERNAL_SERVER_ERROR
		// (7) makes Android drop the connection and reconnect, so it is never
		// the answer to one request.
		internal := s.BadRequest
		if a.Internal != nil {
			internal = a.Internal
		}
		d[Id("Internal")] = Qual(errs, internal.GoName)
		if a.BadPayload != nil {
			d[Id("BadPayload")] = Qual(errs, a.BadPayload.GoName)
		}
		d[Id("RequestID")] = Func().Params(Id("m").Add(protoMsg)).String().Block(
			Return(Id("m").Assert(Op("*").Qual(pb, a.Request.GoName)).Dot("GetRequest").Call().Dot("GetId").Call()))
		d[Id("Errors")] = Index().Qual(wire, "Major").ValuesFunc(func(g *Group) {
			for _, e := range a.Errors() {
				g.Qual(errs, e.GoName)
			}
		})
		f.Var().Id("route"+a.Name).Op("=").Qual(wire, "Route").Values(d)
	}

	f.Comment("Server runs every action on its Handlers: its routes are what a wire.Dispatcher looks requests up in (Table). A spec action that Handlers lacks does not compile.")
	f.Type().Id("Server").StructFunc(func(g *Group) {
		g.Id("h").Id("Handlers")
		for _, a := range routed {
			g.Id("route"+a.Name).Qual(wire, "Route")
		}
	})
	f.Comment("New returns the Server that runs every action on h.")
	f.Func().Id("New").Params(Id("h").Id("Handlers")).Op("*").Id("Server").BlockFunc(func(g *Group) {
		g.Id("s").Op(":=").Op("&").Id("Server").Values(Dict{Id("h"): Id("h")})
		for _, a := range routed {
			g.Id("s").Dot("route" + a.Name).Op("=").Id("route" + a.Name)
			g.Id("s").Dot("route" + a.Name).Dot("Call").Op("=").Id("s").Dot("call" + a.Name)
		}
		g.Return(Id("s"))
	})
	for _, a := range routed {
		f.Commentf("call%s validates a decoded %s, runs the handler and sets the response's header.", a.Name, a.Request.GoName)
		f.Func().Params(Id("s").Op("*").Id("Server")).Id("call"+a.Name).Params(
			Id("ctx").Qual("context", "Context"), Id("sess").Qual(wire, "Session"), Id("m").Add(protoMsg),
		).Params(protoMsg, Error()).Block(
			Id("req").Op(":=").Id("m").Assert(Op("*").Qual(pb, a.Request.GoName)),
			If(Id("e").Op(":=").Qual(validate, a.Name).Call(Id("req")), Id("e").Op("!=").Nil()).Block(Return(Nil(), Id("e"))),
			List(Id("resp"), Id("err")).Op(":=").Id("s").Dot("h").Dot(a.Name).Call(Id("ctx"), Id("sess"), Id("req")),
			If(Id("err").Op("!=").Nil()).Block(Return(Nil(), Id("err"))),
			If(Id("resp").Op("==").Nil()).Block(Id("resp").Op("=").New(Qual(pb, a.Response.GoName))),
			Id("resp").Dot("Response").Op("=").Op("&").Qual(pb, "Response").Values(Dict{
				Id("Id"):        Id("req").Dot("GetRequest").Call().Dot("GetId").Call(),
				Id("Timestamp"): Qual(wire, "Timestamp").Call(Id("ctx")),
			}),
			Return(Id("resp"), Nil()),
		)
	}

	f.Comment("Lookup returns the route of a request action id, or nil.")
	f.Func().Params(Id("s").Op("*").Id("Server")).Id("Lookup").Params(Id("action").Uint16()).Op("*").Qual(wire, "Route").Block(
		Switch(Id("action")).BlockFunc(func(g *Group) {
			for _, a := range routed {
				g.Case(Id("Action" + a.Name)).Block(Return(Op("&").Id("s").Dot("route" + a.Name)))
			}
		}),
		Return(Nil()),
	)
	f.Comment("Routes returns every route, by action id.")
	f.Func().Params(Id("s").Op("*").Id("Server")).Id("Routes").Params().Index().Op("*").Qual(wire, "Route").Block(
		Return(Index().Op("*").Qual(wire, "Route").ValuesFunc(func(g *Group) {
			for _, a := range routed {
				g.Op("&").Id("s").Dot("route" + a.Name)
			}
		})),
	)
	f.Comment("Table is the action table for a wire.Dispatcher.")
	f.Func().Params(Id("s").Op("*").Id("Server")).Id("Table").Params().Qual(wire, "Table").Block(
		Return(Qual(wire, "Table").Values(Dict{
			Id("Lookup"):        Id("s").Dot("Lookup"),
			Id("BadRequest"):    Qual(errs, "New"+s.BadRequest.GoName),
			Id("LoginRequired"): Qual(errs, "New"+s.LoginRequired.GoName),
			Id("Timeout"):       Qual(errs, "New"+s.Timeout.GoName),
			Id("Flood"):         Qual(errs, "New"+s.FloodRequest.GoName),
		})),
	)
	f.Comment("unimplemented is the Server of Unimplemented, behind Lookup and Routes.")
	f.Var().Id("unimplemented").Op("=").Id("New").Call(Id("Unimplemented").Values())
	f.Comment("Lookup returns the route of a request action id, or nil, for reading its facts: its calls answer wire.ErrNotImplemented (a Server of Handlers runs the behaviour).")
	f.Func().Id("Lookup").Params(Id("action").Uint16()).Op("*").Qual(wire, "Route").Block(Return(Id("unimplemented").Dot("Lookup").Call(Id("action"))))
	f.Comment("Routes returns every route, by action id, as Lookup does.")
	f.Func().Id("Routes").Params().Index().Op("*").Qual(wire, "Route").Block(Return(Id("unimplemented").Dot("Routes").Call()))
	out, err := render("dispatch/dispatch_gen.go", f)
	if err != nil {
		return nil, err
	}
	pushes, err := dispatchPush(s, c)
	if err != nil {
		return nil, err
	}
	for p, b := range pushes {
		out[p] = b
	}
	return out, nil
}
