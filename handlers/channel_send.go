package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// ChannelSendMessage posts to a channel through the one send path. Only the
// roles package's posters (owner and admins) may; readers get 408.
func (h *Handlers) ChannelSendMessage(ctx context.Context, s wire.Session, req *pb.ChannelSendMessage) (*pb.ChannelSendMessageResponse, error) {
	k := rankedSend(channelRooms, dispatch.ActionChannelSendMessage, errs.ChannelSendMessageRefusals)
	a := sendArgs{Type: req.MessageType, RoomID: req.RoomId, Text: req.Message, Attachment: req.Attachment,
		Location: req.Location, Contact: req.Contact, ReplyTo: req.ReplyTo, Forward: req.ForwardFrom, RandomID: req.RandomId,
		AdditionalType: req.AdditionalType, AdditionalData: req.AdditionalData}
	resp := &pb.ChannelSendMessageResponse{RoomId: req.RoomId}
	if err := h.sendRanked(ctx, s, a, k, dispatch.ActionChannelSendMessage, func(m *pb.RoomMessage) proto.Message {
		resp.RoomMessage = m
		return resp
	}); err != nil {
		return nil, err
	}
	return resp, nil
}
