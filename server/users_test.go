package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeUsers is a UserStore whose methods the test sets.
type fakeUsers struct {
	list    func(models.UserFilter) ([]models.User, error)
	create  func(models.Actor, models.NewUser) (models.User, error)
	update  func(models.Actor, int64, models.UserProfile) (models.User, error)
	reset   func(models.Actor, int64, string) error
	imports func(models.Actor, []models.UserImportRow) (map[string]string, error)
	link    func(models.Actor, int64, time.Duration) (string, time.Time, error)
}

func (f *fakeUsers) ListUsers(_ context.Context, fl models.UserFilter) ([]models.User, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list(fl)
}
func (f *fakeUsers) CreateUser(_ context.Context, a models.Actor, n models.NewUser) (models.User, error) {
	if f.create == nil {
		return models.User{}, errUnexpected
	}
	return f.create(a, n)
}
func (f *fakeUsers) UpdateUser(_ context.Context, a models.Actor, id int64, p models.UserProfile) (models.User, error) {
	if f.update == nil {
		return models.User{}, errUnexpected
	}
	return f.update(a, id, p)
}
func (f *fakeUsers) ResetPassword(_ context.Context, a models.Actor, id int64, pw string) error {
	if f.reset == nil {
		return errUnexpected
	}
	return f.reset(a, id, pw)
}
func (f *fakeUsers) ImportUsers(_ context.Context, a models.Actor, rows []models.UserImportRow) (map[string]string, error) {
	if f.imports == nil {
		return nil, errUnexpected
	}
	return f.imports(a, rows)
}
func (f *fakeUsers) CreateLoginLink(_ context.Context, a models.Actor, id int64, ttl time.Duration) (string, time.Time, error) {
	if f.link == nil {
		return "", time.Time{}, errUnexpected
	}
	return f.link(a, id, ttl)
}

func TestUserHandlers(t *testing.T) {
	expires := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	users := &fakeUsers{
		list: func(f models.UserFilter) ([]models.User, error) {
			if f.Role != models.RoleUnit || f.UnitID == nil || *f.UnitID != 7 || f.Query != "李" || !f.IncludeDisabled {
				return nil, models.Invalid("filter", map[string]string{"filter": "parsed wrongly"})
			}
			return []models.User{{ID: 9, Username: "li", Roles: []models.Role{models.RoleUnit}, UnitID: ptr(int64(7)), Phone: "13900139000"}}, nil
		},
		create: func(_ models.Actor, n models.NewUser) (models.User, error) {
			if n.Username == "" {
				return models.User{}, models.Invalid("the user is not valid", map[string]string{"username": "required"})
			}
			if n.Username == "taken" {
				return models.User{}, models.Errorf(models.KindConflict, "the username is taken")
			}
			return models.User{ID: 10, Username: n.Username, Roles: n.Roles, UnitID: n.UnitID, Email: n.Email}, nil
		},
		update: func(_ models.Actor, id int64, p models.UserProfile) (models.User, error) {
			if err := failByID(id); err != nil {
				return models.User{}, err
			}
			u := models.User{ID: id, Username: "li", DisplayName: p.DisplayName, Disabled: p.Disabled, Email: "kept@example.org"}
			if p.Email != nil {
				u.Email = *p.Email
			}
			return u, nil
		},
		reset: func(_ models.Actor, id int64, pw string) error {
			if len(pw) < 8 {
				return models.Invalid("weak", map[string]string{"password": "at least 8 characters"})
			}
			return failByID(id)
		},
		imports: func(_ models.Actor, rows []models.UserImportRow) (map[string]string, error) {
			return map[string]string{rows[0].User.Username: "generated-1"}, nil
		},
		link: func(_ models.Actor, id int64, ttl time.Duration) (string, time.Time, error) {
			if ttl != 30*time.Minute && ttl != defaultLinkTTL {
				return "", time.Time{}, models.Invalid("ttl", map[string]string{"ttl_minutes": "parsed wrongly"})
			}
			return "tok-123", expires, failByID(id)
		},
	}
	runCases(t, Deps{Units: treeOnly(), Users: users, Config: Config{PublicURL: "https://leitai.example.cn/"}}, []apiCase{
		get("list is for admins", "/api/v1/users", "unit", 403),
		get("list with its filter and unit names", "/api/v1/users?role=unit&unit_id=7&q=%E6%9D%8E&include_disabled=true", "admin", 200, `"unit_name":"江北街道"`, `"phone":"13900139000"`),
		get("list, a bad role", "/api/v1/users?role=king", "admin", 422),
		get("list, a bad unit id", "/api/v1/users?unit_id=x", "admin", 422, `"unit_id"`),
		send("create", "POST", "/api/v1/users", "admin", `{"username":"wang","roles":["unit"],"unit_id":7}`, 201, `"id":10`, `"unit_name":"江北街道"`),
		send("create, invalid", "POST", "/api/v1/users", "admin", `{"roles":["unit"]}`, 422, `"username":"required"`),
		send("create, an unknown field", "POST", "/api/v1/users", "admin", `{"username":"x","admin":true}`, 400),
		send("create, taken", "POST", "/api/v1/users", "admin", `{"username":"taken"}`, 409),
		send("update", "PATCH", "/api/v1/users/9", "admin", `{"display_name":"李四","disabled":true}`, 200, `"display_name":"李四"`, `"disabled":true`),
		send("create with an e-mail", "POST", "/api/v1/users", "admin", `{"username":"zhao","roles":["expert"],"email":"zhao@example.org"}`, 201, `"email":"zhao@example.org"`),
		send("update, the e-mail absent is kept", "PATCH", "/api/v1/users/9", "admin", `{"display_name":"李四"}`, 200, `"email":"kept@example.org"`),
		send("update, the e-mail emptied", "PATCH", "/api/v1/users/9", "admin", `{"display_name":"李四","email":""}`, 200, `"email":""`),
		send("update a missing user", "PATCH", "/api/v1/users/404", "admin", `{"display_name":"x"}`, 404),
		send("reset a password", "POST", "/api/v1/users/9/password", "admin", `{"password":"a-long-password"}`, 204),
		send("reset, weak", "POST", "/api/v1/users/9/password", "admin", `{"password":"short"}`, 422, `"password"`),
		send("reset is for admins", "POST", "/api/v1/users/9/password", "expert", `{"password":"a-long-password"}`, 403),
		send("a login link with its lifetime", "POST", "/api/v1/users/9/login-links", "admin", `{"ttl_minutes":30}`, 201, `"url":"https://leitai.example.cn/login/link#tok-123"`, `"expires_at":"2026-05-01T08:00:00Z"`),
		send("a login link, default lifetime", "POST", "/api/v1/users/9/login-links", "admin", "", 201, `#tok-123`),
		send("a login link for no one", "POST", "/api/v1/users/404/login-links", "admin", "", 404),
		upload("import answers the generated passwords", "/api/v1/users/import", "admin", "username,display_name,roles\nzhao,赵,专家\n", 200, `"imported":1`, `"passwords":[{"username":"zhao","password":"generated-1"}]`),
	})
}
