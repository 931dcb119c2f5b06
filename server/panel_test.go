package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakePanels is a Panels whose methods the test sets.
type fakePanels struct {
	experts    func(roundID int64) ([]int64, error)
	setExperts func(a models.Actor, roundID int64, ids []int64) ([]int64, error)
	remind     func(a models.Actor, roundID int64, message string) ([]models.Reminder, error)
	reminders  func(roundID int64) ([]models.Reminder, error)
}

func (f *fakePanels) RoundExperts(_ context.Context, id int64) ([]int64, error) {
	if f.experts == nil {
		return nil, errUnexpected
	}
	return f.experts(id)
}
func (f *fakePanels) SetRoundExperts(_ context.Context, a models.Actor, id int64, ids []int64) ([]int64, error) {
	if f.setExperts == nil {
		return nil, errUnexpected
	}
	return f.setExperts(a, id, ids)
}
func (f *fakePanels) RemindExperts(_ context.Context, a models.Actor, id int64, message string) ([]models.Reminder, error) {
	if f.remind == nil {
		return nil, errUnexpected
	}
	return f.remind(a, id, message)
}
func (f *fakePanels) RoundReminders(_ context.Context, id int64) ([]models.Reminder, error) {
	if f.reminders == nil {
		return nil, errUnexpected
	}
	return f.reminders(id)
}

func TestPanelHandlers(t *testing.T) {
	at := time.Date(2026, 4, 4, 5, 0, 0, 0, time.UTC)
	p := &fakePanels{
		experts: func(id int64) ([]int64, error) {
			if id == 2 {
				return nil, nil // every enabled expert
			}
			return []int64{3, 5}, failByID(id)
		},
		setExperts: func(_ models.Actor, id int64, ids []int64) ([]int64, error) {
			for _, e := range ids {
				if e == 1 {
					return nil, models.Invalid("not an expert", map[string]string{"expert_ids": "user 1 is not an enabled expert"})
				}
			}
			return ids, failByID(id)
		},
		remind: func(a models.Actor, id int64, message string) ([]models.Reminder, error) {
			if err := failByID(id); err != nil {
				return nil, err
			}
			return []models.Reminder{{ID: 1, RoundID: id, ExpertID: 3, Username: "expert", Message: message, Remaining: 4, SentBy: a.Name, CreatedAt: at}}, nil
		},
		reminders: func(id int64) ([]models.Reminder, error) { return nil, failByID(id) },
	}
	runCases(t, Deps{Panels: p}, []apiCase{
		get("the panel is for admins", "/api/v1/rounds/1/experts", "expert", 403),
		get("the panel", "/api/v1/rounds/1/experts", "admin", 200, `"expert_ids":[3,5]`),
		get("no panel chosen is an empty list", "/api/v1/rounds/2/experts", "admin", 200, `"expert_ids":[]`),
		get("the panel of no round", "/api/v1/rounds/404/experts", "admin", 404),
		send("choose the panel", "PUT", "/api/v1/rounds/1/experts", "admin", `{"expert_ids":[3,6]}`, 200, `"expert_ids":[3,6]`),
		send("choose a non-expert", "PUT", "/api/v1/rounds/1/experts", "admin", `{"expert_ids":[1]}`, 422, `"expert_ids"`),
		send("choose after assignment", "PUT", "/api/v1/rounds/409/experts", "admin", `{"expert_ids":[3]}`, 409),
		send("remind with a message (trimmed)", "POST", "/api/v1/rounds/1/reminders", "admin", `{"message":"  请尽快  "}`, 200, `"message":"请尽快"`, `"remaining":4`, `"sent_by":"admin"`),
		send("remind without a body", "POST", "/api/v1/rounds/1/reminders", "admin", "", 200, `"message":""`),
		send("remind in a closed round", "POST", "/api/v1/rounds/409/reminders", "admin", "", 409),
		get("no reminders yet", "/api/v1/rounds/1/reminders", "admin", 200, `"reminders":[]`),
	})
}
