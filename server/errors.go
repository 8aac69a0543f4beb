package server

import (
	"context"
	"log/slog"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// marshalFrame encodes msg behind the 2-byte action header in one buffer.
func marshalFrame(action uint16, msg proto.Message) ([]byte, error) {
	buf := make([]byte, 0, wire.HeaderSize+proto.Size(msg))
	buf = wire.AppendFrame(buf, action, nil)
	return proto.MarshalOptions{}.MarshalAppend(buf, msg)
}

// errorFrame is the ErrorResponse (action 0) for e, answering the request
// with id ("" when the request's id could not be read, or for errors that
// answer no request).
func errorFrame(ctx context.Context, id string, e *wire.Error) []byte {
	f, err := marshalFrame(dispatch.MessageErrorResponse, &pb.ErrorResponse{
		Response:  &pb.Response{Id: id, Timestamp: wire.Timestamp(ctx)},
		MajorCode: uint32(e.Major),
		MinorCode: uint32(e.Minor),
		Wait:      e.Wait,
		Message:   e.Message,
	})
	if err != nil {
		// Only an invalid UTF-8 message or id can fail; send the codes alone.
		f, _ = marshalFrame(dispatch.MessageErrorResponse, &pb.ErrorResponse{
			Response:  &pb.Response{Timestamp: wire.Timestamp(ctx)},
			MajorCode: uint32(e.Major),
			MinorCode: uint32(e.Minor),
			Wait:      e.Wait,
		})
	}
	return f
}

// isVirtual reports whether major is one of the errors that are only logged
// and counted, never sent (602-609). A code missing from the catalogue is
// treated as real, so the client hears about it rather than waiting.
func isVirtual(major wire.Major) bool {
	info, ok := errs.Lookup(major)
	return ok && info.Virtual
}

// sendError answers a request with e, or, for a virtual error, only logs and
// counts it.
func (c *conn) sendError(ctx context.Context, action, id string, e *wire.Error) {
	virtual := isVirtual(e.Major)
	c.srv.metrics.countError(action, uint32(e.Major), virtual)
	log := c.srv.log.With("action", action, "request_id", id, "user_id", c.UserID(),
		"code", uint32(e.Major), "minor", uint32(e.Minor))
	if virtual {
		log.Warn("virtual error (not sent)", "msg", e.Message)
		return
	}
	// A flood must not become a flood of log lines.
	level := slog.LevelInfo
	if e.Major == errs.FloodRequest {
		level = slog.LevelDebug
	}
	log.Log(ctx, level, "error response", "msg", e.Message)
	c.reply(errorFrame(ctx, id, e))
}
