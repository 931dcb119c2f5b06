package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeNotifications is a Notifications whose methods the test sets.
type fakeNotifications struct {
	list     func(models.User, int, int, bool) (models.NotificationPage, error)
	read     func(models.User, int64) (int64, error)
	readAll  func(models.User) (int64, error)
	settings func(models.User) (models.UserSettings, error)
	save     func(models.Actor, models.User, models.UserSettings) (models.UserSettings, error)
}

func (f *fakeNotifications) List(_ context.Context, u models.User, offset, limit int, unread bool) (models.NotificationPage, error) {
	if f.list == nil {
		return models.NotificationPage{}, errUnexpected
	}
	return f.list(u, offset, limit, unread)
}
func (f *fakeNotifications) MarkRead(_ context.Context, u models.User, id int64) (int64, error) {
	if f.read == nil {
		return 0, errUnexpected
	}
	return f.read(u, id)
}
func (f *fakeNotifications) MarkAllRead(_ context.Context, u models.User) (int64, error) {
	if f.readAll == nil {
		return 0, errUnexpected
	}
	return f.readAll(u)
}
func (f *fakeNotifications) Settings(_ context.Context, u models.User) (models.UserSettings, error) {
	if f.settings == nil {
		return models.UserSettings{}, errUnexpected
	}
	return f.settings(u)
}
func (f *fakeNotifications) SaveSettings(_ context.Context, a models.Actor, u models.User, in models.UserSettings) (models.UserSettings, error) {
	if f.save == nil {
		return models.UserSettings{}, errUnexpected
	}
	return f.save(a, u, in)
}

type fakeReturner func(models.Actor, int64, string) (models.Project, error)

func (f fakeReturner) ReturnProject(_ context.Context, a models.Actor, id int64, reason string) (models.Project, error) {
	return f(a, id, reason)
}

func TestNotificationHandlers(t *testing.T) {
	at := time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC)
	// Notification 5 is the unit's (user 2); 6 the expert's (user 3): the
	// fake answers as storage does, only the caller's own.
	owner := map[int64]int64{5: 2, 6: 3}
	n := &fakeNotifications{}
	n.list = func(u models.User, offset, limit int, unread bool) (models.NotificationPage, error) {
		page := models.NotificationPage{Total: 0, Unread: 0}
		for id, uid := range owner {
			if uid == u.ID {
				page.Items = append(page.Items, models.Notification{ID: id, Kind: models.NoteReturned, Title: "项目已退回修改：社区议事厅",
					Body: "原因：请补充成效数据", Link: "/portal/projects/12", CreatedAt: at})
				page.Total, page.Unread = 1, 1
			}
		}
		if offset != 0 || limit != 20 || unread {
			if offset != 40 || limit != 10 || !unread {
				return page, models.Errorf(models.KindInternal, "paging not passed: %d %d %v", offset, limit, unread)
			}
		}
		return page, nil
	}
	n.read = func(u models.User, id int64) (int64, error) {
		if owner[id] != u.ID {
			return 0, models.Errorf(models.KindNotFound, "notification %d: not found", id)
		}
		return 0, nil
	}
	n.readAll = func(u models.User) (int64, error) { return int64(len(u.Username)), nil }
	n.settings = func(u models.User) (models.UserSettings, error) {
		return models.UserSettings{Email: u.Username + "@example.org", Language: "en", EmailOff: []models.NotificationKind{models.NoteSubmitted}}, nil
	}
	n.save = func(a models.Actor, u models.User, in models.UserSettings) (models.UserSettings, error) {
		if a.UserID == nil || *a.UserID != u.ID {
			return in, models.Errorf(models.KindInternal, "the actor is not the caller: %+v", a)
		}
		if err := in.Normalize(); err != nil {
			return in, err
		}
		return in, nil
	}
	returns := fakeReturner(func(a models.Actor, id int64, reason string) (models.Project, error) {
		if err := failByID(id); err != nil {
			return models.Project{}, err
		}
		if reason == "" {
			return models.Project{}, models.Invalid("a reason is required", map[string]string{"reason": "tell the unit what to change"})
		}
		return models.Project{ID: id, UnitID: 7, Status: models.ProjectReturned, EligibilityReason: reason}, nil
	})
	runCases(t, Deps{Notifications: n, Returns: returns, Units: treeOnly()}, []apiCase{
		get("list signed out", "/api/v1/notifications", "", 401),
		get("the unit's own", "/api/v1/notifications", "unit", 200, `"id":5`, `"unread":1`, `"link":"/portal/projects/12"`, `请补充成效数据`, `"read_at":null`),
		get("the expert's own", "/api/v1/notifications", "expert", 200, `"id":6`, `"total":1`),
		get("paging", "/api/v1/notifications?offset=40&limit=10&unread=1", "unit", 200, `"offset":40`, `"limit":10`),
		get("a page too long", "/api/v1/notifications?limit=500", "unit", 422, `"limit"`),
		get("a bad unread flag", "/api/v1/notifications?unread=yes", "unit", 422, `"unread"`),
		send("read one's own", "POST", "/api/v1/notifications/5/read", "unit", `{}`, 200, `"unread":0`),
		send("another user's is not found", "POST", "/api/v1/notifications/6/read", "unit", `{}`, 404),
		send("the owner reads it", "POST", "/api/v1/notifications/6/read", "expert", `{}`, 200),
		send("a bad id", "POST", "/api/v1/notifications/x/read", "unit", `{}`, 404),
		send("read all", "POST", "/api/v1/notifications/read-all", "host", `{}`, 200, `"marked":4`),
		send("read all signed out", "POST", "/api/v1/notifications/read-all", "", `{}`, 401),
		get("settings", "/api/v1/me/settings", "expert", 200, `"email":"expert@example.org"`, `"language":"en"`, `"email_off":["project.submitted"]`, `"kinds":["project.submitted"`),
		get("settings signed out", "/api/v1/me/settings", "", 401),
		send("save settings", "PUT", "/api/v1/me/settings", "unit", `{"email":" a@b.example.org ","language":"zh-CN","email_off":["round.published"]}`, 200,
			`"email":"a@b.example.org"`, `"email_off":["round.published"]`),
		send("a bad e-mail", "PUT", "/api/v1/me/settings", "unit", `{"email":"nope","language":"en"}`, 422, `"email"`),
		send("a bad kind", "PUT", "/api/v1/me/settings", "unit", `{"email_off":["spam"]}`, 422, `"email_off"`),
		send("an unknown field", "PUT", "/api/v1/me/settings", "unit", `{"mail":"a@b.example.org"}`, 400),
		send("return", "POST", "/api/v1/projects/12/return", "admin", `{"reason":"请补充成效数据"}`, 200, `"status":"returned"`, `"eligibility_reason":"请补充成效数据"`, `"unit_name":"江北街道"`),
		send("return without a reason", "POST", "/api/v1/projects/12/return", "admin", `{"reason":""}`, 422, `"reason"`),
		send("return a project not submitted", "POST", "/api/v1/projects/409/return", "admin", `{"reason":"x"}`, 409),
		send("return a missing project", "POST", "/api/v1/projects/404/return", "admin", `{"reason":"x"}`, 404),
		send("a unit may not return", "POST", "/api/v1/projects/12/return", "unit", `{"reason":"x"}`, 403),
	})
}
