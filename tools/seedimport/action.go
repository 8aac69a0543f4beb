package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// actionIndex maps error names to the request they belong to.
type actionIndex struct {
	names    map[int]string // id -> request message name (UserRegister)
	ids      map[string]int // request message name -> id
	prefixes []prefix       // longest first
}

type prefix struct {
	snake string // USER_REGISTER_
	id    int
}

func newActionIndex(names map[int]string) *actionIndex {
	ix := &actionIndex{names: names, ids: map[string]int{}}
	for id, name := range names {
		ix.ids[name] = id
		ix.prefixes = append(ix.prefixes, prefix{screamingSnake(name) + "_", id})
	}
	sort.Slice(ix.prefixes, func(i, j int) bool {
		a, b := ix.prefixes[i], ix.prefixes[j]
		if len(a.snake) != len(b.snake) {
			return len(a.snake) > len(b.snake)
		}
		return a.id < b.id
	})
	return ix
}

// actionFor returns the request an error belongs to, 0 for none.
func (ix *actionIndex) actionFor(e *seedError) (int, error) {
	if e.Group == "system" {
		return 0, nil // connection-level errors: any request can get them
	}
	// The one rule that is not read off the name: the protocol README says
	// ClientCondition applies what the client did offline and that its
	// failures are the virtual errors (602-609). Their names (CLIENT_UPDATE_*)
	// match no request, so they are assigned to ClientCondition here.
	if e.Kind == kindVirtual && e.Group == "client" {
		id, ok := ix.ids["ClientCondition"]
		if !ok {
			return 0, fmt.Errorf("seed line %d: error %d: ClientCondition is missing from the action index", e.Line, e.Code)
		}
		return id, nil
	}
	// Otherwise the error's name starts with its request's name:
	// CHAT_DELETE_MESSAGE_FORBIDDEN belongs to ChatDeleteMessage, not ChatDelete.
	for _, p := range ix.prefixes {
		if strings.HasPrefix(e.Name, p.snake) {
			return p.id, nil
		}
	}
	return 0, fmt.Errorf("seed line %d: error %d %s: no action of the index is a prefix of its name", e.Line, e.Code, e.Name)
}

// label is "#206 (ChatDelete)", or "#N" for an id the index lacks.
func (ix *actionIndex) label(id int) string {
	if name, ok := ix.names[id]; ok {
		return fmt.Sprintf("#%d (%s)", id, name)
	}
	return fmt.Sprintf("#%d", id)
}

// correctionFor says where the seed disagrees with what the importer derived:
// a request link that names another request, or an empty one, and a name
// written with a trailing period. It returns "" when the seed is right.
func (ix *actionIndex) correctionFor(e *seedError, action int) string {
	var notes []string
	if e.RawName != e.Name {
		notes = append(notes, fmt.Sprintf("the seed writes the name as %s", e.RawName))
	}
	if l := e.Link; l != nil && action != 0 {
		want := strconv.Itoa(action)
		belongs := "the error belongs to " + ix.label(action)
		switch {
		case l.Text == "" && l.Target == "":
			notes = append(notes, "the seed's request link is empty; "+belongs)
		case l.Text == want && l.Target == want:
			// agrees
		case l.Text == l.Target:
			notes = append(notes, "the seed links "+ix.linkLabel(l.Text)+"; "+belongs)
		default:
			notes = append(notes, fmt.Sprintf("the seed's link reads %s but points at action_%s; %s",
				ix.linkLabel(l.Text), l.Target, belongs))
		}
	}
	return strings.Join(notes, "; ")
}

func (ix *actionIndex) linkLabel(n string) string {
	id, err := strconv.Atoi(n)
	if err != nil {
		return "#" + n
	}
	return ix.label(id)
}

// screamingSnake turns a request message name into the form error names use:
// UserUsernameToId -> USER_USERNAME_TO_ID.
func screamingSnake(camel string) string {
	return strings.ToUpper(strings.Join(words(camel), "_"))
}
