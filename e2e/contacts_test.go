package e2e

import (
	"strings"
	"testing"

	"github.com/gapd/gapd/generated/client"
	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// contactsImport imports the given contacts and fails the test on an error.
func contactsImport(t *testing.T, c *client.Client, cs ...*pb.UserContactsImport_Contact) *pb.UserContactsImportResponse {
	t.Helper()
	r, err := c.UserContactsImport(ctx(t), &pb.UserContactsImport{Contacts: cs})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// contactsList returns the caller's contact list keyed by user id.
func contactsList(t *testing.T, c *client.Client) map[uint64]*pb.RegisteredUser {
	t.Helper()
	r, err := c.UserContactsGetList(ctx(t), &pb.UserContactsGetList{})
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[uint64]*pb.RegisteredUser, len(r.RegisteredUser))
	for _, u := range r.RegisteredUser {
		if m[u.Id] != nil {
			t.Fatalf("user %d listed twice", u.Id)
		}
		m[u.Id] = u
	}
	return m
}

func TestContactsImportAndList(t *testing.T) {
	e := start(t, nil)
	a, _ := e.client()
	e.signUp(a, 9121110001)
	b, _ := e.client()
	regB, _ := e.signUp(b, 9121110002)

	// National form (with and without the trunk 0) in the importer's region,
	// and E.164 with separators; 9121110003 has no account yet.
	r := contactsImport(t, a,
		&pb.UserContactsImport_Contact{Phone: "0912 111 0002", FirstName: "Bee", LastName: "Bi", ClientId: "b"},
		&pb.UserContactsImport_Contact{Phone: "+98 912-111-0003", FirstName: "Cee", ClientId: "c"},
	)
	if len(r.RegisteredContacts) != 1 || r.RegisteredContacts[0].ClientId != "b" || r.RegisteredContacts[0].UserId != regB.UserId {
		t.Fatalf("registered_contacts = %v", r.RegisteredContacts)
	}
	list := contactsList(t, a)
	gotB := list[regB.UserId]
	if len(list) != 1 || gotB == nil {
		t.Fatalf("list = %v", list)
	}
	if gotB.FirstName != "Bee" || gotB.LastName != "Bi" || gotB.DisplayName != "Bee Bi" || gotB.Initials != "BB" ||
		gotB.Phone != 989121110002 || gotB.Username != regB.Username || gotB.Mutual || gotB.Color == "" || gotB.CacheId == "" {
		t.Fatalf("B as A sees them: %v", gotB)
	}

	// Re-importing renames rather than duplicates, and the cache id changes.
	contactsImport(t, a, &pb.UserContactsImport_Contact{Phone: "9121110002", FirstName: "Bea", ClientId: "b2"})
	list = contactsList(t, a)
	if len(list) != 1 || list[regB.UserId].FirstName != "Bea" || list[regB.UserId].LastName != "" ||
		list[regB.UserId].CacheId == gotB.CacheId {
		t.Fatalf("after re-import: %v", list)
	}

	// C signs up after being imported and joins A's list under A's names.
	cc, _ := e.client()
	regC, _ := e.signUp(cc, 9121110003)
	list = contactsList(t, a)
	if len(list) != 2 || list[regC.UserId] == nil || list[regC.UserId].FirstName != "Cee" {
		t.Fatalf("after C signed up: %v", list)
	}

	// Mutual once B has A too, seen from both sides.
	contactsImport(t, b, &pb.UserContactsImport_Contact{Phone: "+989121110001", FirstName: "Ay"})
	if u := contactsList(t, a)[regB.UserId]; !u.Mutual {
		t.Fatalf("B not mutual for A: %v", u)
	}
	fromB := contactsList(t, b)
	if len(fromB) != 1 || contactsList(t, a)[regC.UserId].Mutual {
		t.Fatalf("B's list %v; C must not be mutual with A", fromB)
	}
	for _, u := range fromB {
		if !u.Mutual || u.FirstName != "Ay" || u.Phone != 989121110001 {
			t.Fatalf("A as B sees them: %v", u)
		}
	}

	// Without names from the viewer, a user shows under their nickname, or
	// else their username.
	contactsImport(t, cc, &pb.UserContactsImport_Contact{Phone: "9121110002"})
	if u := contactsList(t, cc)[regB.UserId]; u.DisplayName != regB.Username || u.FirstName != "" {
		t.Fatalf("B as C sees them, no nickname: %v", u)
	}
	if _, err := b.UserProfileSetNickname(ctx(t), &pb.UserProfileSetNickname{Nickname: "bob"}); err != nil {
		t.Fatal(err)
	}
	if u := contactsList(t, cc)[regB.UserId]; u.DisplayName != "bob" || u.Initials != "B" {
		t.Fatalf("B as C sees them, nickname set: %v", u)
	}
}

func TestContactsImportErrors(t *testing.T) {
	e := start(t, nil)
	a, _ := e.client()
	e.signUp(a, 9121110011)
	good := &pb.UserContactsImport_Contact{Phone: "9121110012", FirstName: "Ok"}
	cases := []struct {
		c     *pb.UserContactsImport_Contact
		minor wire.Minor
	}{
		{&pb.UserContactsImport_Contact{Phone: "12345"}, 1},          // national, not an Iranian number
		{&pb.UserContactsImport_Contact{Phone: "+98123"}, 1},         // E.164, too short for Iran
		{&pb.UserContactsImport_Contact{Phone: "+999 1234 5678"}, 1}, // E.164, no such country code
		{&pb.UserContactsImport_Contact{Phone: "912abc"}, 1},
		{&pb.UserContactsImport_Contact{Phone: "9121110013", FirstName: strings.Repeat("f", 65)}, 2},
		{&pb.UserContactsImport_Contact{Phone: "9121110013", LastName: strings.Repeat("l", 65)}, 3},
	}
	for _, tc := range cases {
		_, err := a.UserContactsImport(ctx(t), &pb.UserContactsImport{Contacts: []*pb.UserContactsImport_Contact{good, tc.c}})
		wantErr(t, err, errs.UserContactsImportBadPayload, tc.minor)
	}
	// A refused import stores nothing, not even its valid entries.
	b, _ := e.client()
	e.signUp(b, 9121110012)
	if l := contactsList(t, a); len(l) != 0 {
		t.Fatalf("refused imports left contacts: %v", l)
	}
}

func TestContactsEditAndDelete(t *testing.T) {
	e := start(t, nil)
	a, conn1 := e.client()
	e.signUp(a, 9121110021)
	_, conn2 := profileSecondSession(e, 9121110021)
	b, _ := e.client()
	regB, _ := e.signUp(b, 9121110022)
	contactsImport(t, a, &pb.UserContactsImport_Contact{Phone: "9121110022", FirstName: "Bee"})

	ed, err := a.UserContactsEdit(ctx(t), &pb.UserContactsEdit{Phone: 989121110022, LastName: "Smith"})
	if err != nil || ed.Phone != 989121110022 || ed.FirstName != "" || ed.LastName != "Smith" || ed.Initials != "S" {
		t.Fatalf("edit: %v, %v", ed, err)
	}
	if m := profilePush(t, conn2, dispatch.ActionUserContactsEdit).(*pb.UserContactsEditResponse); m.LastName != "Smith" {
		t.Fatalf("edit push: %v", m)
	}
	profileNoPush(t, conn1, dispatch.ActionUserContactsEdit)
	if u := contactsList(t, a)[regB.UserId]; u.FirstName != "" || u.LastName != "Smith" || u.DisplayName != "Smith" || u.Initials != ed.Initials {
		t.Fatalf("after edit: %v", u)
	}

	_, err = a.UserContactsEdit(ctx(t), &pb.UserContactsEdit{Phone: 989121110099, FirstName: "X"})
	wantErr(t, err, errs.UserContactsEditBadPayload, errs.UserContactsEditBadPayloadInvalidPhone)
	_, err = a.UserContactsEdit(ctx(t), &pb.UserContactsEdit{Phone: 989121110022})
	wantErr(t, err, errs.UserContactsEditBadPayload, errs.UserContactsEditBadPayloadFirstOrLastNameRequired)

	del, err := a.UserContactsDelete(ctx(t), &pb.UserContactsDelete{Phone: 989121110022})
	if err != nil || del.Phone != 989121110022 {
		t.Fatalf("delete: %v, %v", del, err)
	}
	if m := profilePush(t, conn2, dispatch.ActionUserContactsDelete).(*pb.UserContactsDeleteResponse); m.Phone != 989121110022 {
		t.Fatalf("delete push: %v", m)
	}
	profileNoPush(t, conn1, dispatch.ActionUserContactsDelete)
	if l := contactsList(t, a); len(l) != 0 {
		t.Fatalf("after delete: %v", l)
	}
	_, err = a.UserContactsDelete(ctx(t), &pb.UserContactsDelete{Phone: 989121110022})
	wantErr(t, err, errs.UserContactsDeleteBadPayload, errs.UserContactsDeleteBadPayloadInvalidPhone)
}

func TestUsernameToId(t *testing.T) {
	e := start(t, nil)
	a, _ := e.client()
	e.signUp(a, 9121110031)
	b, _ := e.client()
	regB, _ := e.signUp(b, 9121110032)

	for _, name := range []string{regB.Username, strings.ToUpper(regB.Username)} {
		r, err := a.UserUsernameToId(ctx(t), &pb.UserUsernameToId{Username: name})
		if err != nil || r.UserId != regB.UserId {
			t.Fatalf("%s: %v, %v", name, r, err)
		}
	}
	_, err := a.UserUsernameToId(ctx(t), &pb.UserUsernameToId{Username: "nobody_here"})
	wantErr(t, err, errs.UserUsernameToIdNotFound, errs.UserUsernameToIdNotFoundInvalidUsername)

	// Registered but never verified: not visible yet.
	c, _ := e.client()
	regC, err := c.UserRegister(ctx(t), &pb.UserRegister{PhoneNumber: 9121110033, CountryCode: "IR"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.UserUsernameToId(ctx(t), &pb.UserUsernameToId{Username: regC.Username})
	wantErr(t, err, errs.UserUsernameToIdNotFound, errs.UserUsernameToIdNotFoundInvalidUsername)
}
