package spectest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// TestRequestIDIsTheDecodedOne: a payload may carry the request header twice;
// decoding merges them, and both a response and an error repeat the merged
// id, never a different one.
func TestRequestIDIsTheDecodedOne(t *testing.T) {
	d := &wire.Dispatcher{Table: dispatch.New(echoHandlers{}).Table(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	twice := func(m, header proto.Message) []byte {
		a, _ := proto.Marshal(m)
		b, _ := proto.Marshal(header)
		return append(a, b...)
	}
	ok := twice(textMessage(), &pb.ChatSendMessage{Request: &pb.Request{}})
	res := d.Dispatch(context.Background(), NewSession(), dispatch.ActionChatSendMessage, ok)
	if res.Err != nil || res.RequestID != "bench" || res.Response.(*pb.ChatSendMessageResponse).GetResponse().GetId() != "bench" {
		t.Fatalf("response: id %q, err %v", res.RequestID, res.Err)
	}
	bad := textMessage()
	bad.RoomId = 0
	res = d.Dispatch(context.Background(), NewSession(), dispatch.ActionChatSendMessage, twice(bad, &pb.ChatSendMessage{Request: &pb.Request{}}))
	if !wire.IsCode(res.Err, errs.ChatSendMessageBadPayload, errs.ChatSendMessageBadPayloadInvalidRoom) || res.RequestID != "bench" {
		t.Fatalf("error: id %q, err %v", res.RequestID, res.Err)
	}
}
