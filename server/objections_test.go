package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeObjections is an Objections whose methods the test sets.
type fakeObjections struct {
	submit func(a models.Actor, in models.ObjectionInput) (models.Objection, error)
	list   func(roundID int64) ([]models.Objection, error)
	answer func(a models.Actor, id int64, answer string) (models.Objection, error)
}

func (f *fakeObjections) SubmitObjection(_ context.Context, a models.Actor, in models.ObjectionInput, _ time.Time) (models.Objection, error) {
	if f.submit == nil {
		return models.Objection{}, errUnexpected
	}
	return f.submit(a, in)
}
func (f *fakeObjections) RoundObjections(_ context.Context, id int64) ([]models.Objection, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list(id)
}
func (f *fakeObjections) AnswerObjection(_ context.Context, a models.Actor, id int64, answer string) (models.Objection, error) {
	if f.answer == nil {
		return models.Objection{}, errUnexpected
	}
	return f.answer(a, id, answer)
}

func TestObjectionHandlers(t *testing.T) {
	at := time.Date(2026, 4, 3, 4, 0, 0, 0, time.UTC)
	o := &fakeObjections{
		submit: func(_ models.Actor, in models.ObjectionInput) (models.Objection, error) {
			if err := in.Validate(); err != nil {
				return models.Objection{}, err
			}
			if err := failByID(in.RoundID); err != nil {
				return models.Objection{}, err
			}
			if in.UserID != nil && *in.UserID != 3 {
				return models.Objection{}, models.Errorf(models.KindInternal, "the sender is not the caller")
			}
			return models.Objection{ID: 11, RoundID: in.RoundID, CreatedAt: at}, nil
		},
		list: func(id int64) ([]models.Objection, error) {
			if err := failByID(id); err != nil {
				return nil, err
			}
			return []models.Objection{{ID: 11, RoundID: id, Name: "张三", Contact: "zhang@example.cn", Body: "分数有误", CreatedAt: at}}, nil
		},
		answer: func(a models.Actor, id int64, answer string) (models.Objection, error) {
			if err := failByID(id); err != nil {
				return models.Objection{}, err
			}
			return models.Objection{ID: id, Answer: answer, AnsweredBy: a.Name, AnsweredAt: &at}, nil
		},
	}
	objection := `{"name":"张三","contact":"zhang@example.cn","body":"第三名的分数与评分表不一致，请复核。"}`
	runCases(t, Deps{Objections: o}, []apiCase{
		send("anyone may object", "POST", "/api/v1/results/1/objections", "", objection, 201, `"id":11`, `"created_at":"2026-04-03T04:00:00Z"`),
		send("a signed-in sender is named", "POST", "/api/v1/results/1/objections", "expert", objection, 201),
		send("an objection without a contact", "POST", "/api/v1/results/1/objections", "", `{"name":"张三","body":"x"}`, 422, `"contact"`),
		send("the window has closed", "POST", "/api/v1/results/409/objections", "", objection, 409),
		send("no such publication", "POST", "/api/v1/results/404/objections", "", objection, 404),
		get("the list is for admins", "/api/v1/rounds/1/objections", "unit", 403),
		get("the list shows name and contact", "/api/v1/rounds/1/objections", "admin", 200, `"name":"张三"`, `"contact":"zhang@example.cn"`),
		send("answer", "POST", "/api/v1/objections/11/answer", "admin", `{"answer":"已复核"}`, 200, `"answer":"已复核"`, `"answered_by":"admin"`),
		send("answer no objection", "POST", "/api/v1/objections/404/answer", "admin", `{"answer":"x"}`, 404),
		send("answer, not JSON", "POST", "/api/v1/objections/11/answer", "admin", `answer`, 400),
	})
}
