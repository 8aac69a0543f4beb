package ir

import (
	"fmt"
	"strings"

	"github.com/gapd/gapd/generator/spec"
)

// Roles is roles.yaml checked: the ranks of a room's members and, per
// action, the ranks that may call it.
type Roles struct {
	Pos
	Enums       []*Enum // wire enums whose values are exactly the roles
	Roles       []*Role // highest rank first
	Permissions []*Permission
}

// Role is one rank.
type Role struct {
	Pos
	Name   string // OWNER
	GoName string // Owner
	Doc    string
	Number int32 // its value in every role enum
	Rank   int   // 0 is the highest
}

// Permission is one thing members may do, granted per action.
type Permission struct {
	Pos
	ID     string // add_member
	Doc    string
	Lower  bool // the action names a member, who must rank below the actor
	Grants []*Grant
}

// Grant is the ranks that may call one action; any other rank gets the
// action's Refusal.
type Grant struct {
	Pos
	Permission *Permission
	Action     *Action
	Roles      []*Role // in rank order
	Refusal    *Error  // the action's *_FORBIDDEN error
}

// Allows reports whether the grant includes role r.
func (g *Grant) Allows(r *Role) bool {
	for _, x := range g.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Grant returns the grant of an action, or nil if roles do not govern it.
func (r *Roles) Grant(a *Action) *Grant {
	if r == nil {
		return nil
	}
	for _, p := range r.Permissions {
		for _, g := range p.Grants {
			if g.Action == a {
				return g
			}
		}
	}
	return nil
}

// buildRoles checks roles.yaml against the types and actions it names.
func (b *builder) buildRoles(raw *spec.RolesFile) {
	if raw == nil {
		return
	}
	rs := &Roles{Pos: raw.Pos}
	byName := map[string]*Role{}
	for i, rr := range raw.Roles {
		where := fmt.Sprintf("role %s", rr.Name)
		if !isScreaming(rr.Name) {
			b.errorf(rr.Pos, "%s: name must be SCREAMING_SNAKE_CASE", where)
			continue
		}
		if byName[rr.Name] != nil {
			b.errorf(rr.Pos, "%s: listed twice", where)
			continue
		}
		r := &Role{Pos: rr.Pos, Name: rr.Name, GoName: ScreamingToCamel(rr.Name), Doc: rr.Doc, Rank: i}
		byName[r.Name] = r
		rs.Roles = append(rs.Roles, r)
	}
	if len(rs.Roles) == 0 {
		b.errorf(raw.Pos, "roles: at least one role must be listed")
	}
	b.roleEnums(raw, rs, byName)
	granted := map[*Action]*Grant{}
	ids := map[string]bool{}
	for i := range raw.Permissions {
		rp := &raw.Permissions[i]
		where := fmt.Sprintf("permission %s", rp.ID)
		if !isSnake(rp.ID) || ids[rp.ID] {
			b.errorf(rp.Pos, "%s: id must be snake_case and unique", where)
			continue
		}
		ids[rp.ID] = true
		p := &Permission{Pos: rp.Pos, ID: rp.ID, Doc: rp.Doc, Lower: rp.Lower}
		if len(rp.Grants) == 0 {
			b.errorf(rp.Pos, "%s: grants no action", where)
		}
		for j := range rp.Grants {
			if g := b.grant(&rp.Grants[j], p, where, byName, granted); g != nil {
				p.Grants = append(p.Grants, g)
			}
		}
		rs.Permissions = append(rs.Permissions, p)
	}
	b.s.Roles = rs
}

// roleEnums checks that each named enum has exactly the roles as values, with
// the same numbers in all of them: the roles are what goes on the wire.
func (b *builder) roleEnums(raw *spec.RolesFile, rs *Roles, byName map[string]*Role) {
	if len(raw.Enums) == 0 {
		b.errorf(raw.Pos, "roles: enums must name the wire enums whose values are the roles")
		return
	}
	numbered := map[*Role]bool{}
	for _, name := range raw.Enums {
		e, ok := b.types[name].(*Enum)
		if !ok {
			b.errorf(raw.Pos, "roles: enums: %q is not an enum of the spec", name)
			continue
		}
		rs.Enums = append(rs.Enums, e)
		var missing []string
		for _, v := range e.Values {
			r := byName[v.Name]
			if r == nil {
				missing = append(missing, v.Name)
				continue
			}
			if numbered[r] && r.Number != v.Number {
				b.errorf(r.Pos, "role %s: is %d in %s but %d in another role enum", r.Name, v.Number, e.FullName, r.Number)
			}
			r.Number, numbered[r] = v.Number, true
		}
		if len(missing) > 0 {
			b.errorf(raw.Pos, "roles: %s has values that are not roles: %s", e.FullName, strings.Join(missing, ", "))
		}
		for _, r := range rs.Roles {
			if e.Value(r.Name) == nil {
				b.errorf(r.Pos, "role %s: not a value of %s", r.Name, e.FullName)
			}
		}
	}
}

// grant checks one action's grant: the action exists, is granted once, names
// known roles and has a FORBIDDEN error to refuse the others with.
func (b *builder) grant(rg *spec.Grant, p *Permission, where string, byName map[string]*Role, granted map[*Action]*Grant) *Grant {
	a := b.s.actionByID[rg.Action]
	if a == nil {
		b.errorf(rg.Pos, "%s: action %d is not defined in the spec", where, rg.Action)
		return nil
	}
	where = fmt.Sprintf("%s: action %d %s", where, a.ID, a.Name)
	if prev := granted[a]; prev != nil {
		b.errorf(rg.Pos, "%s: already granted by permission %s (%s:%d)", where, prev.Permission.ID, prev.File, prev.Line)
		return nil
	}
	g := &Grant{Pos: rg.Pos, Permission: p, Action: a}
	granted[a] = g
	if len(rg.Roles) == 0 {
		b.errorf(rg.Pos, "%s: grants no role", where)
	}
	seen := map[*Role]bool{}
	for _, name := range rg.Roles {
		r := byName[name]
		switch {
		case r == nil:
			b.errorf(rg.Pos, "%s: unknown role %q", where, name)
		case seen[r]:
			b.errorf(rg.Pos, "%s: role %s listed twice", where, name)
		default:
			seen[r] = true
		}
	}
	for _, r := range byName {
		if seen[r] {
			g.Roles = append(g.Roles, r)
		}
	}
	sortRoles(g.Roles)
	for _, e := range a.Errors() {
		if strings.HasSuffix(e.Name, "_FORBIDDEN") {
			if g.Refusal != nil {
				b.errorf(rg.Pos, "%s: has two FORBIDDEN errors (%d, %d) to refuse with", where, g.Refusal.Code, e.Code)
			}
			g.Refusal = e
		}
	}
	if g.Refusal == nil {
		b.errorf(rg.Pos, "%s: has no *_FORBIDDEN error to refuse the other roles with", where)
	}
	return g
}

func sortRoles(rs []*Role) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Rank < rs[j-1].Rank; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}
