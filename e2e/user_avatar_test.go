package e2e

import (
	"bytes"
	"testing"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// avatarImage uploads a w×h image for u, waits for its processing and
// returns its token.
func avatarImage(t *testing.T, u *chatUser, name string, w, h int) string {
	t.Helper()
	token := fileUpload(t, u, name, fileImage(t, w, h))
	fileProcessed(t, u, token)
	return token
}

func avatarAdd(t *testing.T, u *chatUser, token string) *pb.Avatar {
	t.Helper()
	r, err := u.c.UserAvatarAdd(ctx(t), &pb.UserAvatarAdd{Attachment: token})
	if err != nil {
		t.Fatal(err)
	}
	if r.Avatar.GetId() == 0 || r.Avatar.File.GetToken() != token || r.Avatar.File.SmallThumbnail == nil || r.Avatar.File.LargeThumbnail == nil {
		t.Fatalf("added avatar: %v", r.Avatar)
	}
	return r.Avatar
}

func avatarIDs(t *testing.T, u *chatUser, of uint64) []uint64 {
	t.Helper()
	r, err := u.c.UserAvatarGetList(ctx(t), &pb.UserAvatarGetList{UserId: of})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, a := range r.Avatar {
		ids = append(ids, a.Id)
	}
	return ids
}

// peerAvatar is how viewer sees u in their chat: avatar count and current id.
func peerAvatar(t *testing.T, viewer, u *chatUser) (uint32, uint64) {
	t.Helper()
	r, err := viewer.c.ChatGetRoom(ctx(t), &pb.ChatGetRoom{PeerId: u.id})
	if err != nil {
		t.Fatal(err)
	}
	p := r.Room.ChatRoomExtra.Peer
	return p.AvatarCount, p.GetAvatar().GetId()
}

func TestAvatarAddListDelete(t *testing.T) {
	e := fileStart(t)
	a, b := chatSignUp(e, 9121250001), chatSignUp(e, 9121250002)
	a2 := chatSecondSession(e, a)
	contactsImport(t, b.c, &pb.UserContactsImport_Contact{Phone: "09121250001", FirstName: "Ay", ClientId: "a"})

	if n, id := peerAvatar(t, b, a); n != 0 || id != 0 {
		t.Fatalf("before any avatar: %d, %d", n, id)
	}
	first := avatarAdd(t, a, avatarImage(t, a, "one.png", 200, 150))
	if m := profilePush(t, a2.conn, dispatch.ActionUserAvatarAdd).(*pb.UserAvatarAddResponse); m.Avatar.GetId() != first.Id {
		t.Fatalf("add push: %v", m)
	}
	profileNoPush(t, a.conn, dispatch.ActionUserAvatarAdd)
	second := avatarAdd(t, a, avatarImage(t, a, "two.png", 160, 120))
	profilePush(t, a2.conn, dispatch.ActionUserAvatarAdd)

	// Newest first, for anyone; RegisteredUser shows the newest and the count
	// in the chat and in the contact list.
	if ids := avatarIDs(t, b, a.id); len(ids) != 2 || ids[0] != second.Id || ids[1] != first.Id {
		t.Fatalf("list: %v, want [%d %d]", ids, second.Id, first.Id)
	}
	if n, id := peerAvatar(t, b, a); n != 2 || id != second.Id {
		t.Fatalf("peer after two: %d, %d", n, id)
	}
	if ru := contactsList(t, b.c)[a.id]; ru.GetAvatarCount() != 2 || ru.GetAvatar().GetId() != second.Id ||
		ru.Avatar.File.SmallThumbnail == nil {
		t.Fatalf("contact after two: %v", ru)
	}
	// Others may read the avatar's picture.
	data := fileDownload(t, b, second.File.Token, pb.FileDownload_FILE, second.File.Size, fileChunk)
	if !bytes.Equal(data, fileImage(t, 160, 120)) {
		t.Fatal("avatar downloaded by another user differs")
	}

	// Deleting the current one makes the previous one current.
	if r, err := a.c.UserAvatarDelete(ctx(t), &pb.UserAvatarDelete{Id: second.Id}); err != nil || r.Id != second.Id {
		t.Fatalf("delete: %v, %v", r, err)
	}
	if m := profilePush(t, a2.conn, dispatch.ActionUserAvatarDelete).(*pb.UserAvatarDeleteResponse); m.Id != second.Id {
		t.Fatalf("delete push: %v", m)
	}
	profileNoPush(t, a.conn, dispatch.ActionUserAvatarDelete)
	if n, id := peerAvatar(t, b, a); n != 1 || id != first.Id {
		t.Fatalf("peer after delete: %d, %d", n, id)
	}
	if ids := avatarIDs(t, a, a.id); len(ids) != 1 || ids[0] != first.Id {
		t.Fatalf("list after delete: %v", ids)
	}
}

func TestAvatarErrors(t *testing.T) {
	e := fileStart(t)
	a, b := chatSignUp(e, 9121250003), chatSignUp(e, 9121250004)

	// Not an image: processed, but without thumbnails.
	text := fileUpload(t, a, "notes.txt", bytes.Repeat([]byte("not a picture at all\n"), 300))
	fileProcessed(t, a, text)
	// Another user's upload, which a may not read.
	private := avatarImage(t, b, "b.png", 100, 80)
	// An upload under way.
	partial := fileInit(t, a, "half.png", fileImage(t, 120, 90)).Token
	for _, token := range []string{text, private, partial, "no-such-token"} {
		_, err := a.c.UserAvatarAdd(ctx(t), &pb.UserAvatarAdd{Attachment: token})
		wantErr(t, err, errs.UserAvatarAddBadPayload, errs.UserAvatarAddBadPayloadInvalidAttachment)
	}
	_, err := a.c.UserAvatarAdd(ctx(t), &pb.UserAvatarAdd{})
	wantErr(t, err, errs.UserAvatarAddBadPayload, errs.UserAvatarAddBadPayloadInvalidAttachment)

	// Another's avatar, an unknown one and none cannot be deleted.
	bs := avatarAdd(t, b, private)
	for _, id := range []uint64{bs.Id, bs.Id + 100, 0} {
		_, err := a.c.UserAvatarDelete(ctx(t), &pb.UserAvatarDelete{Id: id})
		wantErr(t, err, errs.UserAvatarDeleteBadPayload, errs.UserAvatarDeleteBadPayloadInvalidAvatarId)
	}
	if ids := avatarIDs(t, a, b.id); len(ids) != 1 {
		t.Fatalf("b's avatars after a's refused delete: %v", ids)
	}

	for _, id := range []uint64{0, b.id + 1000} {
		_, err := a.c.UserAvatarGetList(ctx(t), &pb.UserAvatarGetList{UserId: id})
		wantErr(t, err, errs.UserAvatarGetListBadPayload, errs.UserAvatarGetListBadPayloadInvalidUserId)
	}
	if ids := avatarIDs(t, a, a.id); len(ids) != 0 {
		t.Fatalf("a's avatars after refusals: %v", ids)
	}
}
