package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
)

// ChannelSendMessage posts to a channel through the one send path. Only the
// roles package's posters (owner and admins) may; readers get 408.
func (h *Handlers) ChannelSendMessage(ctx context.Context, s wire.Session, req *pb.ChannelSendMessage) (*pb.ChannelSendMessageResponse, error) {
	k := rankedSend(channelRooms, dispatch.ActionChannelSendMessage, errs.ChannelSendMessageRefusals)
	a := sendArgs{Type: req.MessageType, RoomID: storage.RoomID(req.RoomId), Text: req.Message, Attachment: req.Attachment,
		Location: req.Location, Contact: req.Contact, ReplyTo: storage.MessageID(req.ReplyTo), Forward: req.ForwardFrom, RandomID: req.RandomId,
		AdditionalType: req.AdditionalType, AdditionalData: req.AdditionalData}
	p, err := h.sendRanked(ctx, s, a, k)
	if err != nil {
		return nil, err
	}
	return p.Message().(*pb.ChannelSendMessageResponse), nil
}
