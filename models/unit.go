package models

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// UnitKind is a unit's place in the administrative tree.
type UnitKind string

// The unit kinds: the city, its counties/districts, towns/streets and
// villages/communities; city departments and social organisations; and
// bodies outside the tree (universities, other cities) that experts may
// come from.
const (
	UnitCity         UnitKind = "city"
	UnitCounty       UnitKind = "county"
	UnitTown         UnitKind = "town"
	UnitVillage      UnitKind = "village"
	UnitDepartment   UnitKind = "department"
	UnitOrganisation UnitKind = "organisation"
	UnitExternal     UnitKind = "external"
)

// UnitKinds lists the kinds in display order.
var UnitKinds = []UnitKind{UnitCity, UnitCounty, UnitTown, UnitVillage, UnitDepartment, UnitOrganisation, UnitExternal}

// allowedParents says under which kinds a kind may sit; nil means it must be
// a root, and an entry containing "" means it may also be a root.
var allowedParents = map[UnitKind][]UnitKind{
	UnitCity:         nil,
	UnitCounty:       {UnitCity},
	UnitTown:         {UnitCounty},
	UnitVillage:      {UnitTown},
	UnitDepartment:   {UnitCity, UnitCounty, UnitDepartment},
	UnitOrganisation: {"", UnitCity, UnitCounty, UnitTown, UnitDepartment},
	UnitExternal:     {""},
}

// Unit is a 申报单位 or an expert's affiliation.
type Unit struct {
	ID           int64
	ParentID     *int64
	Kind         UnitKind
	Name         string
	ContactName  string
	ContactPhone string
}

// UnitInput is what an admin sends to create or change a unit.
type UnitInput struct {
	ParentID     *int64
	Kind         UnitKind
	Name         string
	ContactName  string
	ContactPhone string
}

// Validate checks the fields that need no other data.
func (in UnitInput) Validate() error {
	fields := map[string]string{}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		fields["name"] = "required"
	} else if utf8.RuneCountInString(name) > 100 {
		fields["name"] = "at most 100 characters"
	}
	if _, ok := allowedParents[in.Kind]; !ok {
		fields["kind"] = "one of city, county, town, village, department, organisation, external"
	}
	if utf8.RuneCountInString(in.ContactName) > 50 {
		fields["contact_name"] = "at most 50 characters"
	}
	if in.ContactPhone != "" && !ValidPhone(in.ContactPhone) {
		fields["contact_phone"] = "a phone number such as 13812345678 or 0752-2345678"
	}
	if len(fields) > 0 {
		return Invalid("the unit is not valid", fields)
	}
	return nil
}

// CheckParent checks that a unit of this kind may sit under parent (nil for
// a root).
func (in UnitInput) CheckParent(parent *Unit) error {
	allowed := allowedParents[in.Kind]
	if parent == nil {
		if in.Kind == UnitCity || slices.Contains(allowed, "") {
			return nil
		}
		return Invalid("the unit needs a parent", map[string]string{"parent_id": "a " + string(in.Kind) + " must sit under a " + kindsText(allowed)})
	}
	if !slices.Contains(allowed, parent.Kind) {
		if len(allowed) == 0 || (len(allowed) == 1 && allowed[0] == "") {
			return Invalid("the unit cannot have a parent", map[string]string{"parent_id": "a " + string(in.Kind) + " unit has no parent"})
		}
		return Invalid("the parent is of the wrong kind", map[string]string{"parent_id": "a " + string(in.Kind) + " must sit under a " + kindsText(allowed)})
	}
	return nil
}

func kindsText(kinds []UnitKind) string {
	var parts []string
	for _, k := range kinds {
		if k != "" {
			parts = append(parts, string(k))
		}
	}
	return strings.Join(parts, " or ")
}

// ValidPhone accepts mainland mobile numbers and landlines with an area code.
func ValidPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case (r == '-' || r == ' ') && i > 0:
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// MaskPhone hides the middle of a phone number: 13812345678 → 138****5678.
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	keepHead := min(3, len(r)-4)
	return string(r[:keepHead]) + strings.Repeat("*", len(r)-keepHead-4) + string(r[len(r)-4:])
}

// UnitTree answers questions about the unit tree: ancestors, descendants and
// the county a unit lies in. It is built from all units.
type UnitTree struct {
	byID     map[int64]Unit
	children map[int64][]int64
}

// NewUnitTree indexes units.
func NewUnitTree(units []Unit) *UnitTree {
	t := &UnitTree{byID: make(map[int64]Unit, len(units)), children: map[int64][]int64{}}
	for _, u := range units {
		t.byID[u.ID] = u
		if u.ParentID != nil {
			t.children[*u.ParentID] = append(t.children[*u.ParentID], u.ID)
		}
	}
	return t
}

// Unit returns the unit with the id.
func (t *UnitTree) Unit(id int64) (Unit, bool) {
	u, ok := t.byID[id]
	return u, ok
}

// Ancestors returns the ids from the unit's parent up to its root. It stops
// at a cycle rather than looping.
func (t *UnitTree) Ancestors(id int64) []int64 {
	var out []int64
	seen := map[int64]bool{id: true}
	for u, ok := t.byID[id]; ok && u.ParentID != nil; u, ok = t.byID[*u.ParentID] {
		if seen[*u.ParentID] {
			break
		}
		seen[*u.ParentID] = true
		out = append(out, *u.ParentID)
	}
	return out
}

// IsAncestor reports whether a is an ancestor of (or the same as) b.
func (t *UnitTree) IsAncestor(a, b int64) bool {
	return a == b || slices.Contains(t.Ancestors(b), a)
}

// CheckMove checks that unit id may take newParent as its parent: a unit
// cannot be its own ancestor.
func (t *UnitTree) CheckMove(id int64, newParent *int64) error {
	if newParent == nil {
		return nil
	}
	if t.IsAncestor(id, *newParent) {
		return Invalid("a unit cannot be its own ancestor", map[string]string{"parent_id": "the new parent lies inside this unit"})
	}
	return nil
}

// Descendants returns every unit below id.
func (t *UnitTree) Descendants(id int64) []int64 {
	var out []int64
	stack := slices.Clone(t.children[id])
	seen := map[int64]bool{id: true}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
		stack = append(stack, t.children[n]...)
	}
	return out
}

// Path returns the names from the root down to the unit, e.g.
// ["惠州市", "惠城区", "江北街道"].
func (t *UnitTree) Path(id int64) []string {
	u, ok := t.byID[id]
	if !ok {
		return nil
	}
	anc := t.Ancestors(id)
	out := make([]string, 0, len(anc)+1)
	for i := len(anc) - 1; i >= 0; i-- {
		out = append(out, t.byID[anc[i]].Name)
	}
	return append(out, u.Name)
}

// UnitImportRow is one data row of a unit import file.
type UnitImportRow struct {
	// Line is the row's line number in the file (the header is line 1).
	Line int
	// ParentPath names the parent by the names from the root, "/"-separated.
	ParentPath string
	Input      UnitInput
}
