package judging

import (
	"slices"

	"leitai/models"
)

// ConflictSet is the set of units whose projects an expert may not review.
// Its zero value conflicts with nothing.
type ConflictSet struct {
	units map[int64]struct{}
}

// Conflicts computes an expert's conflicts of interest (PRODUCT.md,
// "Conflicts of interest and assignment") from the unit tree:
//
//   - the expert's own unit and everything under it;
//   - for an affiliation inside a county/district — the affiliation or one
//     of its ancestors has kind county — every unit of that county: the
//     county and its whole subtree (a town, a village, a county department
//     or an organisation registered under the county all conflict with the
//     whole county);
//   - an affiliation at city level (a city department, or an organisation
//     under the city) conflicts with that unit and its sub-units only; an
//     affiliation that is the city itself conflicts with its whole subtree;
//   - an expert from outside the tree (affiliation nil, or of kind
//     external) has no automatic conflicts;
//   - every declared unit (declared by the expert or added by an admin)
//     conflicts, with its subtree.
//
// An affiliation id that is not in the tree conflicts with that unit id
// only. Declared ids that are not in the tree are kept as they are.
func Conflicts(tree *models.UnitTree, affiliation *int64, declared []int64) ConflictSet {
	c := ConflictSet{units: map[int64]struct{}{}}
	addSubtree := func(id int64) {
		c.units[id] = struct{}{}
		if tree != nil {
			for _, d := range tree.Descendants(id) {
				c.units[d] = struct{}{}
			}
		}
	}
	if affiliation != nil {
		a := *affiliation
		u, known := models.Unit{}, false
		if tree != nil {
			u, known = tree.Unit(a)
		}
		switch {
		case !known:
			c.units[a] = struct{}{}
		case u.Kind == models.UnitExternal:
			// outside the tree: no automatic conflicts
		default:
			addSubtree(a)
			if county, ok := countyOf(tree, a, u); ok {
				addSubtree(county)
			}
		}
	}
	for _, d := range declared {
		addSubtree(d)
	}
	return c
}

// countyOf returns the county that unit id (u) lies in, itself included.
func countyOf(tree *models.UnitTree, id int64, u models.Unit) (int64, bool) {
	if u.Kind == models.UnitCounty {
		return id, true
	}
	for _, a := range tree.Ancestors(id) {
		if au, ok := tree.Unit(a); ok && au.Kind == models.UnitCounty {
			return a, true
		}
	}
	return 0, false
}

// Has reports whether a project of the unit is conflicted for the expert.
func (c ConflictSet) Has(unit int64) bool {
	_, ok := c.units[unit]
	return ok
}

// Units returns the conflicted unit ids in increasing order.
func (c ConflictSet) Units() []int64 {
	out := make([]int64, 0, len(c.units))
	for u := range c.units {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// Len returns how many units are conflicted.
func (c ConflictSet) Len() int { return len(c.units) }
