package server

import (
	"context"
	"testing"

	"leitai/models"
)

// fakeUnits is a UnitStore whose methods the test sets.
type fakeUnits struct {
	list    func() ([]models.Unit, error)
	create  func(models.Actor, models.UnitInput) (models.Unit, error)
	update  func(models.Actor, int64, models.UnitInput) (models.Unit, error)
	remove  func(models.Actor, int64) error
	imports func(models.Actor, []models.UnitImportRow) (int, error)
}

func (f *fakeUnits) ListUnits(context.Context) ([]models.Unit, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list()
}
func (f *fakeUnits) CreateUnit(_ context.Context, a models.Actor, in models.UnitInput) (models.Unit, error) {
	if f.create == nil {
		return models.Unit{}, errUnexpected
	}
	return f.create(a, in)
}
func (f *fakeUnits) UpdateUnit(_ context.Context, a models.Actor, id int64, in models.UnitInput) (models.Unit, error) {
	if f.update == nil {
		return models.Unit{}, errUnexpected
	}
	return f.update(a, id, in)
}
func (f *fakeUnits) DeleteUnit(_ context.Context, a models.Actor, id int64) error {
	if f.remove == nil {
		return errUnexpected
	}
	return f.remove(a, id)
}
func (f *fakeUnits) ImportUnits(_ context.Context, a models.Actor, rows []models.UnitImportRow) (int, error) {
	if f.imports == nil {
		return 0, errUnexpected
	}
	return f.imports(a, rows)
}

// testTree is 惠城区 › 江北街道, with a contact phone.
var testTree = []models.Unit{
	{ID: 1, Kind: models.UnitCounty, Name: "惠城区"},
	{ID: 7, ParentID: ptr(int64(1)), Kind: models.UnitTown, Name: "江北街道", ContactName: "李", ContactPhone: "13800138000"},
}

// treeOnly is a UnitStore that only lists testTree (the unit names other
// answers show).
func treeOnly() *fakeUnits {
	return &fakeUnits{list: func() ([]models.Unit, error) { return testTree, nil }}
}

func TestUnitHandlers(t *testing.T) {
	// The tree as storage would list it after each change.
	tree := append([]models.Unit(nil), testTree...)
	units := &fakeUnits{list: func() ([]models.Unit, error) { return tree, nil }}
	units.create = func(a models.Actor, in models.UnitInput) (models.Unit, error) {
		if a.UserID == nil || *a.UserID != 1 {
			return models.Unit{}, models.Errorf(models.KindInternal, "the actor is not the caller: %+v", a)
		}
		if in.Name == "" {
			return models.Unit{}, models.Invalid("the unit is not valid", map[string]string{"name": "required"})
		}
		if in.Name == "江北街道" {
			return models.Unit{}, models.Errorf(models.KindConflict, "a unit of that name exists here")
		}
		u := models.Unit{ID: 8, ParentID: in.ParentID, Kind: in.Kind, Name: in.Name}
		tree = append(tree, u)
		return u, nil
	}
	units.update = func(_ models.Actor, id int64, in models.UnitInput) (models.Unit, error) {
		if err := failByID(id); err != nil {
			return models.Unit{}, err
		}
		u := models.Unit{ID: id, ParentID: ptr(int64(1)), Kind: in.Kind, Name: in.Name}
		tree = append(tree[:len(testTree)], u)
		return u, nil
	}
	units.remove = func(_ models.Actor, id int64) error { return failByID(id) }
	units.imports = func(_ models.Actor, rows []models.UnitImportRow) (int, error) {
		if rows[0].Input.Kind != models.UnitTown || rows[0].ParentPath != "惠城区" {
			return 0, models.Invalid("rows", map[string]string{"line 2": "parsed wrongly"})
		}
		return len(rows), nil
	}
	runCases(t, Deps{Units: units}, []apiCase{
		get("list needs a session", "/api/v1/units", "", 401),
		get("list, phone masked for a unit", "/api/v1/units", "unit", 200, `"path":["惠城区","江北街道"]`, `"contact_phone":"138****8000"`),
		get("list, phone whole for an admin", "/api/v1/units", "admin", 200, `"contact_phone":"13800138000"`),
		send("create is for admins", "POST", "/api/v1/units", "unit", `{"name":"x","kind":"town"}`, 403),
		send("create answers the unit with its path", "POST", "/api/v1/units", "admin", `{"parent_id":1,"name":"河南岸街道","kind":"town"}`, 201, `"id":8`, `"path":["惠城区","河南岸街道"]`),
		send("create, invalid names the field", "POST", "/api/v1/units", "admin", `{"kind":"town"}`, 422, `"name":"required"`),
		send("create, a wrong type names the field", "POST", "/api/v1/units", "admin", `{"name":7}`, 422, `"name":"must be string"`),
		send("create, duplicate", "POST", "/api/v1/units", "admin", `{"parent_id":1,"name":"江北街道","kind":"town"}`, 409),
		send("update", "PATCH", "/api/v1/units/8", "admin", `{"name":"新名","kind":"town"}`, 200, `"name":"新名"`, `"path":["惠城区","新名"]`),
		send("update a missing unit", "PATCH", "/api/v1/units/404", "admin", `{"name":"x","kind":"town"}`, 404),
		send("update, a bad id", "PATCH", "/api/v1/units/abc", "admin", `{"name":"x","kind":"town"}`, 404),
		send("delete", "DELETE", "/api/v1/units/8", "admin", "", 204),
		send("delete a unit in use", "DELETE", "/api/v1/units/409", "admin", "", 409),
		send("delete needs the CSRF token", "DELETE", "/api/v1/units/8", "expert", "", 403),
		upload("import", "/api/v1/units/import", "admin", "name,kind,parent\n江南街道,镇街,惠城区\n", 200, `"imported":1`),
		upload("import without the name column", "/api/v1/units/import", "admin", "kind\ntown\n", 422, `missing column(s): name`),
		send("import without a file", "POST", "/api/v1/units/import", "admin", `{}`, 422, `"file"`),
	})
}
