package wire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"google.golang.org/protobuf/proto"
)

// ErrNotImplemented is returned by generated Unimplemented handlers; dispatch
// turns it into the action's internal server error.
var ErrNotImplemented = errors.New("action not implemented")

// Route is one action of the generated table (generated/dispatch).
type Route struct {
	ID, ResponseID uint16
	Name           string
	Login          bool  // needs a logged-in session
	Push           bool  // its response can reach other sessions without a request
	Limit          Class // the budget its requests spend (ClassNone: none)
	BadPayload     Major
	Internal       Major // the action's own INTERNAL_SERVER_ERROR, or the system one
	Errors         []Major
	NewRequest     func() proto.Message
	NewResponse    func() proto.Message
	// RequestID reads request.id from a decoded request.
	RequestID func(req proto.Message) string
	// Call validates a decoded request, runs its handler and returns the
	// response with its header set (the generated Server's typed call).
	Call func(ctx context.Context, s Session, req proto.Message) (proto.Message, error)
}

// Table is what a Dispatcher needs from the generated code.
//
// It has no system INTERNAL_SERVER_ERROR: a failed request is answered
// with its route's Internal, never the connection-wide error 7, on which
// Android clients drop the connection.
type Table struct {
	Lookup        func(action uint16) *Route
	BadRequest    func() *Error
	LoginRequired func() *Error
	Timeout       func() *Error
	// Flood is FLOOD_REQUEST with the whole seconds to wait: the answer
	// to a request over its class's budget.
	Flood func(wait uint32) *Error
}

// Dispatcher runs one request through the generated table: decode, login
// check, validation, the handler with its deadline, panic recovery and error
// mapping. This is the only place that logic lives.
type Dispatcher struct {
	Table   Table
	Log     *slog.Logger
	Timeout time.Duration // a handler's deadline; 0 means none
	// Limiter checks each request's class budget after the login check;
	// nil limits nothing. Over the budget the request is answered with
	// Table.Flood and the connection stays open.
	Limiter Limiter
}

// Result is the outcome of one request. Exactly one of Response and Err is set.
type Result struct {
	Route     *Route // nil for an unknown action
	RequestID string
	Response  proto.Message // the response (action Route.ResponseID)
	Err       *Error        // to be sent as ErrorResponse, unless virtual
	// Garbage is set when the frame named no action or its payload did not
	// decode: nothing a working client sends, which the server counts.
	Garbage bool
	// Limited is the class whose budget refused the request (Err is then
	// FLOOD_REQUEST), or ClassNone; LimitWait is the exact wait, which
	// Err carries rounded up to whole seconds.
	Limited   Class
	LimitWait time.Duration
}

// Dispatch runs the request action with payload for session s.
func (d *Dispatcher) Dispatch(ctx context.Context, s Session, action uint16, payload []byte) (res Result) {
	r := d.Table.Lookup(action)
	if r == nil {
		res.RequestID, _ = PeekID(payload)
		res.Err = d.Table.BadRequest().WithMessage("unknown action %d", action)
		res.Garbage = true
		return res
	}
	res.Route = r
	req := r.NewRequest()
	if err := proto.Unmarshal(payload, req); err != nil {
		res.RequestID, _ = PeekID(payload)
		res.Err = d.Table.BadRequest().WithMessage("%s: undecodable payload", r.Name)
		res.Garbage = true
		return res
	}
	// The decoded id, exactly as the response will repeat it (a payload may
	// carry the request header twice; decoding merges them).
	res.RequestID = r.RequestID(req)
	if r.Login && s.UserID() == 0 {
		res.Err = d.Table.LoginRequired()
		return res
	}
	if d.Limiter != nil && r.Limit != ClassNone {
		if wait := d.Limiter.Wait(s, r.Limit); wait > 0 {
			res.Err, res.Limited, res.LimitWait = d.Table.Flood(WaitSeconds(wait)), r.Limit, wait
			return res
		}
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	resp, err := d.call(ctx, r, s, req, res.RequestID)
	if err != nil {
		res.Err = d.mapError(ctx, r, res.RequestID, s, err)
		return res
	}
	res.Response = resp
	return res
}

// call runs the route, turning a panic into an error that is logged once.
func (d *Dispatcher) call(ctx context.Context, r *Route, s Session, req proto.Message, id string) (resp proto.Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			d.logger().Error("handler panic", "action", r.Name, "request_id", id, "user_id", s.UserID(),
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp, err = nil, &Error{Major: r.Internal, Message: "internal server error"}
		}
	}()
	return r.Call(ctx, s, req)
}

func (d *Dispatcher) mapError(ctx context.Context, r *Route, id string, s Session, err error) *Error {
	if e, ok := As(err); ok {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		d.logger().Warn("handler deadline exceeded", "action", r.Name, "request_id", id, "user_id", s.UserID(), "err", err)
		return d.Table.Timeout()
	}
	d.logger().Error("handler failed", "action", r.Name, "request_id", id, "user_id", s.UserID(), "err", err)
	return &Error{Major: r.Internal, Message: "internal server error"}
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

type clockKey struct{}

// WithClock makes Timestamp read now from f instead of the system clock (tests).
func WithClock(ctx context.Context, f func() time.Time) context.Context {
	return context.WithValue(ctx, clockKey{}, f)
}

// Timestamp is the server's Unix time in seconds for a response header.
func Timestamp(ctx context.Context) uint32 {
	if f, ok := ctx.Value(clockKey{}).(func() time.Time); ok {
		return uint32(f().Unix())
	}
	return uint32(time.Now().Unix())
}
