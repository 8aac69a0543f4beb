package handlers

import (
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
)

// The pushes that tell of a change to a room's messages, one function per
// kind of change. The live handlers and ClientCondition's catch-up both build
// them here, so a client that was away receives exactly what it would have
// received live.

// newMessagePush tells of a new message (sent, or a group's or channel's log
// message) as the room's send action pushes it.
func newMessagePush(kind storage.RoomKind, roomID uint64, m *pb.RoomMessage, to ...uint64) dispatch.Push {
	switch kind {
	case storage.RoomGroup:
		return dispatch.PushGroupSendMessage(&pb.GroupSendMessageResponse{RoomId: roomID, RoomMessage: m}, to...)
	case storage.RoomChannel:
		return dispatch.PushChannelSendMessage(&pb.ChannelSendMessageResponse{RoomId: roomID, RoomMessage: m}, to...)
	}
	return dispatch.PushChatSendMessage(&pb.ChatSendMessageResponse{RoomId: roomID, RoomMessage: m}, to...)
}

// editPush tells of a chat message's new text (msg as edited).
func editPush(msg storage.Message, to ...uint64) dispatch.Push {
	return dispatch.PushChatEditMessage(&pb.ChatEditMessageResponse{
		RoomId: uint64(msg.RoomID), MessageId: uint64(msg.ID), MessageVersion: uint64(msg.MessageVersion),
		Message: msg.Body, MessageType: pb.RoomMessageType(msg.Type)}, to...)
}

// deletePush tells of a chat message deleted at version msg.DeleteVersion
// (for both members, or hidden from one).
func deletePush(msg storage.Message, to ...uint64) dispatch.Push {
	return dispatch.PushChatDeleteMessage(&pb.ChatDeleteMessageResponse{
		RoomId: uint64(msg.RoomID), MessageId: uint64(msg.ID), DeleteVersion: uint64(msg.DeleteVersion)}, to...)
}

// statusPush tells of a chat or group message's status as it stands, raised
// by user updater (0: not known, for group statuses stored before the
// reporter was kept).
func statusPush(kind storage.RoomKind, msg storage.Message, updater storage.UserID, to ...uint64) dispatch.Push {
	var hash string
	if updater != 0 {
		hash = authorHash(updater)
	}
	if kind == storage.RoomGroup {
		return dispatch.PushGroupUpdateStatus(&pb.GroupUpdateStatusResponse{
			RoomId: uint64(msg.RoomID), MessageId: uint64(msg.ID), Status: pb.RoomMessageStatus(msg.Status),
			StatusVersion: uint64(msg.StatusVersion), UpdaterAuthorHash: hash}, to...)
	}
	return dispatch.PushChatUpdateStatus(&pb.ChatUpdateStatusResponse{
		RoomId: uint64(msg.RoomID), MessageId: uint64(msg.ID), Status: pb.RoomMessageStatus(msg.Status),
		StatusVersion: uint64(msg.StatusVersion), UpdaterAuthorHash: hash}, to...)
}

// changePush is the push that tells catch-up's client of one change to msg,
// built by the function the live handler uses for that change. Groups and
// channels have no edit or delete pushes, and channels no status ones; those
// changes are told by sending the message as it now is (rendered, which
// catch-up renders for the changes sentWhole reports), which clients store
// over the copy they have.
func changePush(room storage.Room, kind storage.ChangeKind, msg storage.Message, rendered *pb.RoomMessage) dispatch.Push {
	switch {
	case room.Type == storage.RoomChat && kind == storage.ChangeEdit:
		return editPush(msg)
	case room.Type == storage.RoomChat && kind == storage.ChangeDelete:
		return deletePush(msg)
	case kind == storage.ChangeStatus && room.Type != storage.RoomChannel:
		return statusPush(room.Type, msg, msg.StatusBy)
	}
	return newMessagePush(room.Type, uint64(room.ID), rendered)
}

// sentWhole reports whether changePush tells of a change of kind in the
// room by sending the message whole.
func sentWhole(room storage.Room, kind storage.ChangeKind) bool {
	switch kind {
	case storage.ChangeEdit, storage.ChangeDelete:
		return room.Type != storage.RoomChat
	case storage.ChangeStatus:
		return room.Type == storage.RoomChannel
	}
	return true
}
