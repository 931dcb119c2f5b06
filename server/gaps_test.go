package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeGaps is a ReviewGaps that checks what the handlers pass and answers
// as storage would for the ids failByID knows.
type fakeGaps struct {
	t       *testing.T
	removed []string
	window  *models.PublicationWindow
}

func (f *fakeGaps) ExpertConflicts(context.Context) ([]models.ExpertConflicts, error) {
	return []models.ExpertConflicts{{ExpertID: 3, Username: "expert", UnitID: ptr(int64(7)), UnitName: "江北街道",
		Automatic: []models.ConflictRoot{{UnitID: 2, Name: "惠城区", Why: "county"}}, AutomaticUnits: 5,
		Declared: []models.DeclaredConflict{{UnitID: 9, UnitName: "罗阳街道", Reason: "配偶在罗阳街道任职", By: "admin", ByID: ptr(int64(1))}}}}, nil
}
func (f *fakeGaps) AddConflict(_ context.Context, a models.Actor, expertID, unitID int64, reason string) error {
	if a.UserID == nil || *a.UserID != 1 {
		f.t.Errorf("AddConflict by %+v", a)
	}
	if reason == "" {
		return models.Invalid("a reason is required", map[string]string{"reason": "required"})
	}
	return failByID(unitID)
}
func (f *fakeGaps) RemoveConflict(_ context.Context, _ models.Actor, expertID, unitID int64, reason string) error {
	if unitID == 2 {
		return models.Errorf(models.KindConflict, "the conflict between expert and 惠城区 is automatic — it comes from the expert's own unit in the unit tree — and cannot be removed")
	}
	f.removed = append(f.removed, reason)
	return failByID(unitID)
}
func (f *fakeGaps) RoundAssignments(_ context.Context, id int64) ([]models.AssignedProject, error) {
	return []models.AssignedProject{{ProjectID: 11, Title: "江北网格", UnitID: 7, UnitName: "江北街道",
		Experts: []models.AssignedExpert{{ExpertID: 3, Name: "张专家", Score: models.ScoreSubmitted}, {ExpertID: 5, Name: "李专家"}}}}, failByID(id)
}
func (f *fakeGaps) ReassignProject(_ context.Context, _ models.Actor, roundID, projectID, from, to int64, reason string) (models.Reassignment, error) {
	if to == 409 {
		return models.Reassignment{}, models.Errorf(models.KindConflict, "李专家 may not review 「江北网格」: a declared conflict with 江北街道 (亲属)")
	}
	return models.Reassignment{RoundID: roundID, ProjectID: projectID, From: from, To: to, SpreadBefore: 1, SpreadAfter: 2,
		Loads:   []models.ExpertLoad{{ExpertID: from, Name: "张专家", Before: 2, After: 1}, {ExpertID: to, Name: "李专家", Before: 2, After: 3}},
		Warning: "the loads now differ by 2 projects"}, failByID(roundID)
}
func (f *fakeGaps) EditionCalendar(_ context.Context, id int64) (models.Calendar, error) {
	return models.Calendar{DaysOff: []string{"2026-10-01"}}, failByID(id)
}
func (f *fakeGaps) SetEditionCalendar(_ context.Context, _ models.Actor, id int64, in models.Calendar) (models.Calendar, error) {
	if err := failByID(id); err != nil {
		return models.Calendar{}, err
	}
	return in.Normalize()
}
func (f *fakeGaps) ProposeWindow(_ context.Context, id int64, now time.Time, _ *time.Location, asked models.PublicationWindow) (models.WindowProposal, error) {
	days := 5
	if !asked.Until.IsZero() {
		days = 3
	}
	return models.WindowProposal{Default: models.PublicationWindow{From: now, Until: now.Add(14 * 24 * time.Hour)}, DefaultDays: 5, Days: days}, failByID(id)
}
func (f *fakeGaps) PublishRound(_ context.Context, _ models.Actor, id int64, _ *time.Location, w *models.PublicationWindow) (models.RoundChange, error) {
	f.window = w
	return models.RoundChange{Round: models.Round{ID: id, Status: models.RoundPublished}}, failByID(id)
}

func TestReviewGapsHandlers(t *testing.T) {
	g := &fakeGaps{t: t}
	r := &fakeRounds{move: func(a models.Actor, id int64, to models.RoundStatus) (models.RoundChange, error) {
		return models.RoundChange{Round: models.Round{ID: id, Status: to}}, nil
	}}
	runCases(t, Deps{Gaps: g, Rounds: r, Clock: func() time.Time { return time.Date(2026, 9, 29, 2, 0, 0, 0, time.UTC) }}, []apiCase{
		get("conflicts: automatic beside declared", "/api/v1/conflicts", "admin", 200,
			`"automatic":[{"unit_id":2,"name":"惠城区","why":"county"}]`, `"reason":"配偶在罗阳街道任职"`, `"by":"admin"`),
		get("conflicts: experts may not list them", "/api/v1/conflicts", "expert", 403),
		get("conflicts: units may not", "/api/v1/conflicts", "unit", 403),
		send("add: with a reason", "POST", "/api/v1/conflicts", "admin", `{"expert_id":3,"unit_id":9,"reason":"亲属"}`, 201, `"experts":[`),
		send("add: the reason is required", "POST", "/api/v1/conflicts", "admin", `{"expert_id":3,"unit_id":9}`, 422, `"reason":"required"`),
		send("add: the expert and unit are required", "POST", "/api/v1/conflicts", "admin", `{"reason":"x"}`, 422, `"expert_id":"required"`, `"unit_id":"required"`),
		send("add: already declared", "POST", "/api/v1/conflicts", "admin", `{"expert_id":3,"unit_id":409,"reason":"x"}`, 409),
		send("add: an expert may not add for another", "POST", "/api/v1/conflicts", "expert", `{"expert_id":5,"unit_id":9,"reason":"x"}`, 403),
		send("add: an unknown field", "POST", "/api/v1/conflicts", "admin", `{"expert_id":3,"unit_id":9,"reason":"x","auto":true}`, 400),
		send("remove: an automatic one is a conflict, explained", "POST", "/api/v1/conflicts/remove", "admin", `{"expert_id":3,"unit_id":2,"reason":"误判"}`, 409, "automatic"),
		send("remove: a declared one", "POST", "/api/v1/conflicts/remove", "admin", `{"expert_id":3,"unit_id":9,"reason":"已离职"}`, 200),
		send("remove: none declared", "POST", "/api/v1/conflicts/remove", "admin", `{"expert_id":3,"unit_id":404,"reason":"x"}`, 404),
		send("remove: not for hosts", "POST", "/api/v1/conflicts/remove", "host", `{"expert_id":3,"unit_id":9,"reason":"x"}`, 403),
		get("assignments: with each score's status", "/api/v1/rounds/3/assignments", "admin", 200, `"title":"江北网格"`, `"score":"submitted"`, `"name":"李专家","score":""`),
		get("assignments: no such round", "/api/v1/rounds/404/assignments", "admin", 404),
		get("assignments: not for experts", "/api/v1/rounds/3/assignments", "expert", 403),
		send("reassign: the loads and the balance warning", "POST", "/api/v1/rounds/3/reassign", "admin", `{"project_id":11,"from_expert_id":3,"to_expert_id":5,"reason":"出差"}`, 200,
			`"loads":[{"expert_id":3,"name":"张专家","before":2,"after":1}`, `"balance_rule":1`, `"balanced":false`, `"warning":"the loads now differ by 2 projects"`),
		send("reassign: a conflicted target is named", "POST", "/api/v1/rounds/3/reassign", "admin", `{"project_id":11,"from_expert_id":3,"to_expert_id":409,"reason":"出差"}`, 409, "declared conflict with 江北街道"),
		send("reassign: the ids are required", "POST", "/api/v1/rounds/3/reassign", "admin", `{"reason":"出差"}`, 422, `"project_id":"required"`, `"to_expert_id":"required"`),
		send("reassign: a closed round", "POST", "/api/v1/rounds/409/reassign", "admin", `{"project_id":11,"from_expert_id":3,"to_expert_id":5,"reason":"出差"}`, 409),
		send("reassign: not for experts", "POST", "/api/v1/rounds/3/reassign", "expert", `{"project_id":11,"from_expert_id":3,"to_expert_id":5,"reason":"出差"}`, 403),
		get("calendar", "/api/v1/editions/5/calendar", "admin", 200, `"days_off":["2026-10-01"]`, `"working_days":[]`),
		get("calendar: not public", "/api/v1/editions/5/calendar", "", 401),
		send("calendar: saved sorted", "PUT", "/api/v1/editions/5/calendar", "admin", `{"days_off":["2026-10-02","2026-10-01"],"working_days":["2026-10-10"]}`, 200,
			`"days_off":["2026-10-01","2026-10-02"]`, `"working_days":["2026-10-10"]`),
		send("calendar: a bad date is named", "PUT", "/api/v1/editions/5/calendar", "admin", `{"days_off":["2026-10-01","2026-02-30"]}`, 422, `"days_off[1]"`),
		send("calendar: a duplicate is named", "PUT", "/api/v1/editions/5/calendar", "admin", `{"days_off":["2026-10-01"],"working_days":["2026-10-01"]}`, 422, `"working_days[0]"`),
		send("calendar: no such edition", "PUT", "/api/v1/editions/404/calendar", "admin", `{"days_off":[]}`, 404),
		send("calendar: units may not", "PUT", "/api/v1/editions/5/calendar", "unit", `{"days_off":[]}`, 403),
		get("window: the default and its working days", "/api/v1/rounds/3/publication-window", "admin", 200, `"default_working_days":5`, `"default_from":"2026-09-29T02:00:00Z"`),
		get("window: the working days of the asked window", "/api/v1/rounds/3/publication-window?from=2026-09-29T02:00:00Z&until=2026-10-09T15:59:59Z", "admin", 200, `"working_days":3`),
		get("window: a bad time is named", "/api/v1/rounds/3/publication-window?until=tomorrow", "admin", 422, `"until"`),
		send("publish with the admin's window", "POST", "/api/v1/rounds/3/status", "admin",
			`{"status":"published","objection_from":"2026-09-29T08:00:00+08:00","objection_until":"2026-10-12T23:59:59+08:00"}`, 200, `"status":"published"`),
		send("publish: the window's end without its start", "POST", "/api/v1/rounds/3/status", "admin", `{"status":"published","objection_until":"2026-10-12T23:59:59+08:00"}`, 422, `"objection_from"`),
		send("a window only when publishing", "POST", "/api/v1/rounds/3/status", "admin",
			`{"status":"closed","objection_from":"2026-09-29T08:00:00+08:00","objection_until":"2026-10-12T23:59:59+08:00"}`, 422, `"objection_until"`),
		send("publish without a window: the default", "POST", "/api/v1/rounds/7/status", "admin", `{"status":"published"}`, 200, `"status":"published"`),
	})
	if len(g.removed) != 2 || g.removed[0] != "已离职" {
		t.Errorf("removals: %q", g.removed)
	}
	if g.window == nil || !g.window.From.Equal(time.Date(2026, 9, 29, 0, 0, 0, 0, time.UTC)) || !g.window.Until.Equal(time.Date(2026, 10, 12, 15, 59, 59, 0, time.UTC)) {
		t.Errorf("the window passed on: %+v", g.window)
	}
}
