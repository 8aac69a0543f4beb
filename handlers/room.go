package handlers

import (
	"errors"
	"slices"
	"strconv"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/generated/roles"
	"github.com/gapd/gapd/storage"
)

// room renders r as member m sees it: the title, unread count and last
// message are the viewer's own (a chat is titled by the peer as the viewer
// knows them; cleared history does not count).
func (h *Handlers) room(tx *storage.Tx, r storage.Room, m storage.Member) (*pb.Room, error) {
	out := &pb.Room{
		Id:            uint64(r.ID),
		Type:          pb.Room_Type(r.Type),
		Title:         r.Title,
		IsParticipant: true,
		PinId:         uint64(m.PinID),
	}
	if m.Muted {
		out.RoomMute = pb.RoomMute_MUTE
	}
	unread, err := tx.UnreadCount(m)
	if err != nil {
		return nil, err
	}
	out.UnreadCount = uint32(unread)
	if r.LastMessageID != 0 && m.Sees(r.LastMessageID) {
		// The newest the viewer has not deleted for itself alone.
		last, err := tx.LastMessageFor(m, r.LastMessageID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			if out.LastMessage, err = h.roomMessage(tx, last); err != nil {
				return nil, err
			}
		}
	}
	if r.Type == storage.RoomChat {
		peerID, err := tx.ChatPeer(r.ID, m.UserID)
		if err != nil {
			return nil, err
		}
		peer, err := tx.UserByID(peerID)
		if err != nil {
			return nil, err
		}
		ru, err := h.registeredUser(tx, m.UserID, peer)
		if err != nil {
			return nil, err
		}
		out.Title, out.Initials, out.Color = ru.DisplayName, ru.Initials, ru.Color
		out.ChatRoomExtra = &pb.ChatRoom{Peer: ru}
		// A chat with an account that is gone can be read but not written.
		out.ReadOnly = ru.Deleted
	}
	if r.Type == storage.RoomGroup || r.Type == storage.RoomChannel {
		if err := rankedRoom(tx, r, m, out, h.maxMembers); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rankedRoom fills what a group or channel shows its member: their role,
// how many members it has, its description. A channel is read-only to the
// roles that may not post.
func rankedRoom(tx *storage.Tx, r storage.Room, m storage.Member, out *pb.Room, limit int) error {
	n, err := tx.MemberCount(r.ID)
	if err != nil {
		return err
	}
	out.Initials, out.Color = initials(r.Title), userColor(int64(r.ID))
	count := uint32(n)
	label := strconv.Itoa(n)
	maxCount, maxLabel := uint32(limit), strconv.Itoa(limit)
	if r.Type == storage.RoomGroup {
		out.GroupRoomExtra = &pb.GroupRoom{Type: pb.GroupRoom_PRIVATE_ROOM, Role: pb.GroupRoom_Role(m.Role),
			ParticipantsCount: count, ParticipantsCountLabel: label, Description: r.Description,
			ParticipantsCountLimit: maxCount, ParticipantsCountLimitLabel: maxLabel}
		out.ReadOnly = !roles.May(dispatch.ActionGroupSendMessage, roles.Role(m.Role))
		return nil
	}
	out.ChannelRoomExtra = &pb.ChannelRoom{Type: pb.ChannelRoom_PRIVATE_ROOM, Role: pb.ChannelRoom_Role(m.Role),
		ParticipantsCount: count, ParticipantsCountLabel: label, Description: r.Description, SeenId: uint64(m.SeenID)}
	out.ReadOnly = !roles.May(dispatch.ActionChannelSendMessage, roles.Role(m.Role))
	return nil
}

// errNoRoom is what memberOf returns for a room that does not exist.
var errNoRoom = errors.New("no such room")

// memberOf loads a room of one of the kinds given (none given: any kind)
// and userID's membership of it. A room that does not exist or is of
// another kind is errNoRoom; one the user is not in is storage.ErrNotFound
// from the membership lookup.
func memberOf(tx *storage.Tx, roomID storage.RoomID, userID storage.UserID, kinds ...storage.RoomKind) (storage.Room, storage.Member, error) {
	r, err := tx.RoomByID(roomID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && len(kinds) > 0 && !slices.Contains(kinds, r.Type)) {
		return r, storage.Member{}, errNoRoom
	}
	if err != nil {
		return r, storage.Member{}, err
	}
	m, err := tx.Member(r.ID, userID)
	return r, m, err
}
