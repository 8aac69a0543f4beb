package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/storage"
	"github.com/gapd/gapd/wire"
	"github.com/nyaruka/phonenumbers"
)

// UserContactsImport adds or renames address-book entries. Contacts are kept
// by phone whether or not the number has an account, so someone who signs
// up later joins the importer's list. The import is all or nothing: one
// phone that is not a real number refuses the request (118/1) before
// anything is stored. Importing a phone again updates its names and client
// id instead of adding a second entry, so force (which asks the server to
// re-import) changes nothing. The importer's own phone is skipped.
//
// The phones are parsed (phone metadata: the costly part) before the write
// transaction, not in it, where they would hold the database's one writer.
// They are read in the importer's region, from a read before: a user's
// country and phone are set at sign-up and never change.
func (h *Handlers) UserContactsImport(ctx context.Context, s wire.Session, req *pb.UserContactsImport) (*pb.UserContactsImportResponse, error) {
	me := userOf(s)
	now := h.unix()
	var owner storage.User
	err := h.db.Read(ctx, func(tx *storage.Tx) (err error) {
		owner, err = tx.UserByID(me)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("import contacts: %w", err)
	}
	phones := make([]string, len(req.Contacts))
	for i, c := range req.Contacts {
		p, ok := contactsE164(c.Phone, owner.Country)
		if !ok {
			return nil, errs.NewUserContactsImportBadPayload(errs.UserContactsImportBadPayloadInvalidPhone)
		}
		phones[i] = p
	}
	resp := &pb.UserContactsImportResponse{}
	err = h.db.Write(ctx, func(tx *storage.Tx) error {
		resp.RegisteredContacts = resp.RegisteredContacts[:0]
		for i, c := range req.Contacts {
			if phones[i] == owner.Phone {
				continue
			}
			if err := tx.UpsertContact(me, phones[i], c.FirstName, c.LastName, c.ClientId, now); err != nil {
				return err
			}
			u, err := tx.UserByPhone(phones[i])
			if errors.Is(err, storage.ErrNotFound) || err == nil && !u.Verified {
				continue
			}
			if err != nil {
				return err
			}
			resp.RegisteredContacts = append(resp.RegisteredContacts,
				&pb.UserContactsImportResponse_Contact{ClientId: c.ClientId, UserId: uint64(u.ID)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import contacts: %w", err)
	}
	return resp, nil
}

// contactsE164 normalises an address-book phone: international form as is,
// national form in the importer's region (users.country). It accepts only
// numbers that phone metadata knows to be valid.
func contactsE164(phone, region string) (string, bool) {
	n, err := phonenumbers.Parse(phone, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// contactsPhone is the E.164 form of a wire phone (its digits without '+').
func contactsPhone(digits uint64) string {
	return "+" + strconv.FormatUint(digits, 10)
}

// UserContactsGetList returns the caller's contacts that are verified users,
// each under the names the caller gave it, in import order.
func (h *Handlers) UserContactsGetList(ctx context.Context, s wire.Session, _ *pb.UserContactsGetList) (*pb.UserContactsGetListResponse, error) {
	me := userOf(s)
	resp := &pb.UserContactsGetListResponse{}
	err := h.db.Read(ctx, func(tx *storage.Tx) error {
		list, err := tx.ContactUsers(me)
		if err != nil {
			return err
		}
		us := make([]storage.User, len(list))
		for i, cu := range list {
			us[i] = cu.User
		}
		resp.RegisteredUser, err = h.registeredUsers(tx, me, us)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	return resp, nil
}

// UserContactsEdit renames a contact. A phone that is not in the caller's
// contacts is 124/1 (invalid phone): the catalogue has no not-found error
// for this action, and the phone is the field at fault.
func (h *Handlers) UserContactsEdit(ctx context.Context, s wire.Session, req *pb.UserContactsEdit) (*pb.UserContactsEditResponse, error) {
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		return tx.SetContactNames(userOf(s), contactsPhone(req.Phone), req.FirstName, req.LastName)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errs.NewUserContactsEditBadPayload(errs.UserContactsEditBadPayloadInvalidPhone)
	}
	if err != nil {
		return nil, fmt.Errorf("edit contact: %w", err)
	}
	// Initials as the contact's RegisteredUser now shows them to the caller.
	resp := &pb.UserContactsEditResponse{Phone: req.Phone, FirstName: req.FirstName, LastName: req.LastName,
		Initials: initials(strings.TrimSpace(req.FirstName + " " + req.LastName))}
	h.pushTo(s, dispatch.PushUserContactsEdit(resp, s.UserID()))
	return resp, nil
}

// UserContactsDelete removes a contact; a phone that is not one is 122/1.
func (h *Handlers) UserContactsDelete(ctx context.Context, s wire.Session, req *pb.UserContactsDelete) (*pb.UserContactsDeleteResponse, error) {
	err := h.db.Write(ctx, func(tx *storage.Tx) error {
		return tx.DeleteContact(userOf(s), contactsPhone(req.Phone))
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errs.NewUserContactsDeleteBadPayload(errs.UserContactsDeleteBadPayloadInvalidPhone)
	}
	if err != nil {
		return nil, fmt.Errorf("delete contact: %w", err)
	}
	resp := &pb.UserContactsDeleteResponse{Phone: req.Phone}
	h.pushTo(s, dispatch.PushUserContactsDelete(resp, s.UserID()))
	return resp, nil
}

// UserUsernameToId finds a verified user by username, regardless of letter
// case. Unverified accounts are not visible yet, so they are 134 as well.
func (h *Handlers) UserUsernameToId(ctx context.Context, s wire.Session, req *pb.UserUsernameToId) (*pb.UserUsernameToIdResponse, error) {
	var u storage.User
	err := h.db.Read(ctx, func(tx *storage.Tx) (err error) {
		u, err = tx.UserByUsername(req.Username)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) || err == nil && !u.Verified {
		return nil, errs.NewUserUsernameToIdNotFound(errs.UserUsernameToIdNotFoundInvalidUsername)
	}
	if err != nil {
		return nil, fmt.Errorf("username to id: %w", err)
	}
	return &pb.UserUsernameToIdResponse{UserId: uint64(u.ID)}, nil
}
