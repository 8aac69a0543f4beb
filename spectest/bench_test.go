package spectest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/validate"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

func textMessage() *pb.ChatSendMessage {
	return &pb.ChatSendMessage{
		Request:     &pb.Request{Id: "bench"},
		MessageType: pb.RoomMessageType_TEXT,
		RoomId:      42,
		Message:     "hello, this is a one-line message of ordinary length",
		RandomId:    7,
	}
}

// BenchmarkValidateChatSendMessage is the generated validator on a valid text
// message: straight-line code, so it should not allocate.
func BenchmarkValidateChatSendMessage(b *testing.B) {
	m := textMessage()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if e := validate.ChatSendMessage(m); e != nil {
			b.Fatal(e)
		}
	}
}

// echoHandlers answers ChatSendMessage without storage, to time dispatch alone.
type echoHandlers struct{ dispatch.Unimplemented }

func (echoHandlers) ChatSendMessage(_ context.Context, _ wire.Session, req *pb.ChatSendMessage) (*pb.ChatSendMessageResponse, error) {
	return &pb.ChatSendMessageResponse{RoomId: req.RoomId}, nil
}

// BenchmarkDispatchChatSendMessage is one request through the dispatcher:
// table lookup, decode, login check, validation, handler, response header.
func BenchmarkDispatchChatSendMessage(b *testing.B) {
	payload, err := proto.Marshal(textMessage())
	if err != nil {
		b.Fatal(err)
	}
	d := &wire.Dispatcher{Table: dispatch.New(echoHandlers{}).Table(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s := NewSession()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for i := 0; i < b.N; i++ {
		if res := d.Dispatch(ctx, s, dispatch.ActionChatSendMessage, payload); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
}

// BenchmarkFramePeek splits a frame and reads its request id.
func BenchmarkFramePeek(b *testing.B) {
	payload, _ := proto.Marshal(textMessage())
	frame := wire.AppendFrame(nil, dispatch.ActionChatSendMessage, payload)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, p, err := wire.DecodeFrame(frame)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := wire.PeekID(p); !ok {
			b.Fatal("no id")
		}
	}
}
