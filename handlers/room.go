package handlers

import (
	"errors"
	"fmt"
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
	out, err := h.rooms(tx, m.UserID, []storage.RoomMember{{Room: r, Member: m}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// rooms renders rooms as room does, in order, all as one viewer (each
// Member is the viewer's), in the same number of statements however many
// there are: the unread counts, last messages, chat peers and member counts
// of all of them are each read at once.
func (h *Handlers) rooms(tx *storage.Tx, viewer storage.UserID, rms []storage.RoomMember) ([]*pb.Room, error) {
	var all, withLast, chats, ranked []storage.RoomID
	for _, rm := range rms {
		r, m := rm.Room, rm.Member
		all = append(all, r.ID)
		if r.LastMessageID != 0 && m.Sees(r.LastMessageID) {
			withLast = append(withLast, r.ID)
		}
		switch r.Type {
		case storage.RoomChat:
			chats = append(chats, r.ID)
		case storage.RoomGroup, storage.RoomChannel:
			ranked = append(ranked, r.ID)
		}
	}
	unread, err := tx.UnreadCounts(viewer, all)
	if err != nil {
		return nil, err
	}
	// The newest message of each that the viewer has not deleted for itself
	// alone.
	lastOf, err := tx.LastMessagesFor(viewer, withLast)
	if err != nil {
		return nil, err
	}
	lasts := make([]storage.Message, 0, len(lastOf))
	for _, id := range withLast {
		if msg, ok := lastOf[id]; ok {
			lasts = append(lasts, msg)
		}
	}
	rendered, err := h.roomMessages(tx, lasts)
	if err != nil {
		return nil, err
	}
	lastMessages := make(map[storage.RoomID]*pb.RoomMessage, len(lasts))
	for i, msg := range lasts {
		lastMessages[msg.RoomID] = rendered[i]
	}
	peers, err := h.chatPeers(tx, viewer, chats)
	if err != nil {
		return nil, err
	}
	counts, err := tx.MemberCounts(ranked)
	if err != nil {
		return nil, err
	}
	out := make([]*pb.Room, len(rms))
	for i, rm := range rms {
		r, m := rm.Room, rm.Member
		o := &pb.Room{
			Id:            uint64(r.ID),
			Type:          pb.Room_Type(r.Type),
			Title:         r.Title,
			IsParticipant: true,
			PinId:         uint64(m.PinID),
			UnreadCount:   uint32(unread[r.ID]),
			LastMessage:   lastMessages[r.ID],
		}
		if m.Muted {
			o.RoomMute = pb.RoomMute_MUTE
		}
		switch r.Type {
		case storage.RoomChat:
			ru := peers[r.ID]
			o.Title, o.Initials, o.Color = ru.DisplayName, ru.Initials, ru.Color
			o.ChatRoomExtra = &pb.ChatRoom{Peer: ru}
			// A chat with an account that is gone can be read but not written.
			o.ReadOnly = ru.Deleted
		case storage.RoomGroup, storage.RoomChannel:
			rankedRoom(r, m, counts[r.ID], o, h.maxMembers)
		}
		out[i] = o
	}
	return out, nil
}

// chatPeers renders the peer of each chat room as the viewer sees them. A
// chat without a peer, or whose peer's row is gone, is storage.ErrNotFound.
func (h *Handlers) chatPeers(tx *storage.Tx, viewer storage.UserID, chats []storage.RoomID) (map[storage.RoomID]*pb.RegisteredUser, error) {
	peerOf, err := tx.ChatPeers(viewer, chats)
	if err != nil {
		return nil, err
	}
	ids := make([]storage.UserID, 0, len(chats))
	for _, room := range chats {
		id, ok := peerOf[room]
		if !ok {
			return nil, fmt.Errorf("peer of chat %d: %w", room, storage.ErrNotFound)
		}
		ids = append(ids, id)
	}
	users, err := tx.UsersByIDs(ids)
	if err != nil {
		return nil, err
	}
	us := make([]storage.User, len(ids))
	for i, id := range ids {
		u, ok := users[id]
		if !ok {
			return nil, fmt.Errorf("chat peer %d: %w", id, storage.ErrNotFound)
		}
		us[i] = u
	}
	rus, err := h.registeredUsers(tx, viewer, us)
	if err != nil {
		return nil, err
	}
	out := make(map[storage.RoomID]*pb.RegisteredUser, len(chats))
	for i, room := range chats {
		out[room] = rus[i]
	}
	return out, nil
}

// rankedRoom fills what a group or channel shows its member: their role,
// how many members it has (n), its description. A channel is read-only to
// the roles that may not post.
func rankedRoom(r storage.Room, m storage.Member, n int, out *pb.Room, limit int) {
	out.Initials, out.Color = initials(r.Title), userColor(int64(r.ID))
	count := uint32(n)
	label := strconv.Itoa(n)
	maxCount, maxLabel := uint32(limit), strconv.Itoa(limit)
	if r.Type == storage.RoomGroup {
		out.GroupRoomExtra = &pb.GroupRoom{Type: pb.GroupRoom_PRIVATE_ROOM, Role: pb.GroupRoom_Role(m.Role),
			ParticipantsCount: count, ParticipantsCountLabel: label, Description: r.Description,
			ParticipantsCountLimit: maxCount, ParticipantsCountLimitLabel: maxLabel}
		out.ReadOnly = !roles.May(dispatch.ActionGroupSendMessage, roles.Role(m.Role))
		return
	}
	out.ChannelRoomExtra = &pb.ChannelRoom{Type: pb.ChannelRoom_PRIVATE_ROOM, Role: pb.ChannelRoom_Role(m.Role),
		ParticipantsCount: count, ParticipantsCountLabel: label, Description: r.Description, SeenId: uint64(m.SeenID)}
	out.ReadOnly = !roles.May(dispatch.ActionChannelSendMessage, roles.Role(m.Role))
}

// errNoRoom is what memberOf returns for a room that does not exist.
var errNoRoom = errors.New("no such room")

// memberOf loads a room of one of the kinds given (none given: any kind)
// and userID's membership of it. A room that does not exist or is of
// another kind is errNoRoom; one the user is not in is storage.ErrNotFound.
// Both come from one statement (storage.RoomAndMember).
func memberOf(tx *storage.Tx, roomID storage.RoomID, userID storage.UserID, kinds ...storage.RoomKind) (storage.Room, storage.Member, error) {
	r, m, in, err := tx.RoomAndMember(roomID, userID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && len(kinds) > 0 && !slices.Contains(kinds, r.Type)) {
		return r, storage.Member{}, errNoRoom
	}
	if err == nil && !in {
		err = fmt.Errorf("%w: not a member", storage.ErrNotFound)
	}
	return r, m, err
}
