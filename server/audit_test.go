package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeAudit is an AuditLog whose methods the test sets.
type fakeAudit struct {
	list   func(models.AuditFilter) ([]models.AuditEntry, error)
	verify func() (models.AuditVerification, error)
}

func (f *fakeAudit) ListAudit(_ context.Context, fl models.AuditFilter) ([]models.AuditEntry, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list(fl)
}
func (f *fakeAudit) VerifyAudit(context.Context) (models.AuditVerification, error) {
	if f.verify == nil {
		return models.AuditVerification{}, errUnexpected
	}
	return f.verify()
}

func TestAuditHandlers(t *testing.T) {
	at := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
	audit := &fakeAudit{
		list: func(f models.AuditFilter) ([]models.AuditEntry, error) {
			// A page of two: the answer offers the next page before the last.
			if f.Limit == 2 && f.BeforeID == 90 && f.Entity == "project" && f.EntityID == "5" {
				return []models.AuditEntry{
					{ID: 89, At: at, Action: "project.submit", Entity: "project", EntityID: "5", After: `{"status":"submitted"}`},
					{ID: 88, At: at, Action: "project.create", Entity: "project", EntityID: "5", Before: "tampered{"},
				}, nil
			}
			if f.Limit == 50 && f.BeforeID == 0 {
				return []models.AuditEntry{{ID: 1, At: at, Action: "unit.create"}}, nil
			}
			return nil, models.Invalid("filter", map[string]string{"filter": "parsed wrongly"})
		},
		verify: func() (models.AuditVerification, error) {
			return models.AuditVerification{Checked: 89, Anchors: 2, HeadHash: "abc"}, nil
		},
	}
	runCases(t, Deps{Audit: audit}, []apiCase{
		get("the log is for admins", "/api/v1/audit", "expert", 403),
		get("the log needs a session", "/api/v1/audit", "", 401),
		get("a page with the next cursor", "/api/v1/audit?limit=2&before_id=90&entity=project&entity_id=5", "admin", 200,
			`"after":{"status":"submitted"}`, `"before":null`, `"next_before_id":88`),
		get("a short page has no next page", "/api/v1/audit", "admin", 200, `"action":"unit.create"`, `"next_before_id":null`),
		get("a limit out of range", "/api/v1/audit?limit=501", "admin", 422, `"limit":"between 1 and 500"`),
		get("a bad cursor", "/api/v1/audit?before_id=-3", "admin", 422, `"before_id"`),
		get("verify", "/api/v1/audit/verify", "admin", 200, `"ok":true`, `"checked":89`, `"anchors":2`, `"head_hash":"abc"`),
	})
	broken := &fakeAudit{verify: func() (models.AuditVerification, error) {
		return models.AuditVerification{Checked: 10, FirstBroken: &models.ChainBreak{ID: 7}}, nil
	}}
	runCases(t, Deps{Audit: broken}, []apiCase{
		get("verify finds a break", "/api/v1/audit/verify", "admin", 200, `"ok":false`, `"first_broken":{`),
	})
}
