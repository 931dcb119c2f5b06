package judging

import (
	"slices"
	"testing"

	"leitai/models"
)

// testTree is a small city:
//
//	1 city
//	├── 10 county ── 11 town ── 111 village
//	│             ├── 12 county department ── 121 sub-unit
//	│             └── 13 organisation
//	├── 20 county ── 21 town ── 211 village
//	├── 30 city department ── 31 sub-department
//	└── 40 organisation (city level)
//	50 organisation (root)   99 external (university)
func testTree() *models.UnitTree {
	id := func(v int64) *int64 { return &v }
	return models.NewUnitTree([]models.Unit{
		{ID: 1, Kind: models.UnitCity},
		{ID: 10, ParentID: id(1), Kind: models.UnitCounty},
		{ID: 11, ParentID: id(10), Kind: models.UnitTown},
		{ID: 111, ParentID: id(11), Kind: models.UnitVillage},
		{ID: 12, ParentID: id(10), Kind: models.UnitDepartment},
		{ID: 121, ParentID: id(12), Kind: models.UnitDepartment},
		{ID: 13, ParentID: id(10), Kind: models.UnitOrganisation},
		{ID: 20, ParentID: id(1), Kind: models.UnitCounty},
		{ID: 21, ParentID: id(20), Kind: models.UnitTown},
		{ID: 211, ParentID: id(21), Kind: models.UnitVillage},
		{ID: 30, ParentID: id(1), Kind: models.UnitDepartment},
		{ID: 31, ParentID: id(30), Kind: models.UnitDepartment},
		{ID: 40, ParentID: id(1), Kind: models.UnitOrganisation},
		{ID: 50, Kind: models.UnitOrganisation},
		{ID: 99, Kind: models.UnitExternal},
	})
}

func TestConflicts(t *testing.T) {
	tree := testTree()
	county10 := []int64{10, 11, 12, 13, 111, 121}
	id := func(v int64) *int64 { return &v }
	cases := []struct {
		name        string
		affiliation *int64
		declared    []int64
		want        []int64
	}{
		{"village: the whole county", id(111), nil, county10},
		{"town: the whole county", id(11), nil, county10},
		{"county itself", id(10), nil, county10},
		{"county department: the whole county", id(12), nil, county10},
		{"sub-unit of a county department", id(121), nil, county10},
		{"organisation under a county", id(13), nil, county10},
		{"city department: itself and its sub-units only", id(30), nil, []int64{30, 31}},
		{"city sub-department", id(31), nil, []int64{31}},
		{"organisation at city level", id(40), nil, []int64{40}},
		{"root organisation", id(50), nil, []int64{50}},
		{"the city: everything under it", id(1), nil, []int64{1, 10, 11, 12, 13, 20, 21, 30, 31, 40, 111, 121, 211}},
		{"external: none", id(99), nil, []int64{}},
		{"no affiliation: none", nil, nil, []int64{}},
		{"declared: the unit and its subtree", nil, []int64{20, 30}, []int64{20, 21, 30, 31, 211}},
		{"external with a declared unit", id(99), []int64{111}, []int64{111}},
		{"city department plus a declared county", id(30), []int64{20}, []int64{20, 21, 30, 31, 211}},
		{"unknown affiliation: that id only", id(777), nil, []int64{777}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Conflicts(tree, c.affiliation, c.declared)
			if !slices.Equal(got.Units(), c.want) {
				t.Errorf("units %v; want %v", got.Units(), c.want)
			}
			for _, u := range []int64{1, 10, 11, 12, 13, 20, 21, 30, 31, 40, 50, 99, 111, 121, 211} {
				if got.Has(u) != slices.Contains(c.want, u) {
					t.Errorf("Has(%d) = %v", u, got.Has(u))
				}
			}
		})
	}
	var zero ConflictSet
	if zero.Has(1) || zero.Len() != 0 {
		t.Error("the zero ConflictSet conflicts")
	}
}
