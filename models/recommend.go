package models

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// County and department recommendation (县区推荐, #13): with the step on, a
// unit's submission waits for the recommender of its county, development
// zone or city department, who recommends it to the city's eligibility
// check (within the quota the edition sets for that subtree root) or
// returns it with a reason.

// RecommendSettings are an edition's recommendation step: on or off, and
// the quota of each subtree root (a county or department unit id → how
// many projects it may recommend).
type RecommendSettings struct {
	Step   bool
	Quotas []RecommendQuota
}

// RecommendQuota is how many projects one subtree root may recommend.
type RecommendQuota struct {
	UnitID int64
	Quota  int
}

// MaxRecommendQuota caps one root's quota.
const MaxRecommendQuota = 1000

func (s RecommendSettings) check(f map[string]string) {
	seen := map[int64]bool{}
	for _, q := range s.Quotas {
		switch {
		case q.UnitID <= 0:
			f["recommend_quotas"] = "each quota names a unit"
		case seen[q.UnitID]:
			f["recommend_quotas"] = fmt.Sprintf("unit %d given twice", q.UnitID)
		case q.Quota < 0 || q.Quota > MaxRecommendQuota:
			f["recommend_quotas"] = fmt.Sprintf("each quota 0 to %d", MaxRecommendQuota)
		}
		seen[q.UnitID] = true
	}
	if len(s.Quotas) > 500 {
		f["recommend_quotas"] = "at most 500 quotas"
	}
}

// QuotaOf is the quota of a root and whether the edition sets one.
func (s RecommendSettings) QuotaOf(rootID int64) (int, bool) {
	i := slices.IndexFunc(s.Quotas, func(q RecommendQuota) bool { return q.UnitID == rootID })
	if i < 0 {
		return 0, false
	}
	return s.Quotas[i].Quota, true
}

// RecommendRootKinds are the kinds of unit a recommender's subtree (and a
// quota) may be rooted at: a county or development zone, or a department.
var RecommendRootKinds = []UnitKind{UnitCounty, UnitDepartment}

// CheckRecommendRoot refuses a unit that cannot root a recommender's
// subtree, naming the field.
func CheckRecommendRoot(u Unit, field string) error {
	if !slices.Contains(RecommendRootKinds, u.Kind) {
		return Invalid("a recommender's scope is a county or a department", map[string]string{field: fmt.Sprintf("%s is a %s unit: choose a county, development zone or department", u.Name, u.Kind)})
	}
	return nil
}

// CanRecommend reports whether a recommender may recommend or return the
// project: a submission waiting for them, in an edition with the step on.
func (p Project) CanRecommend(e Edition) error {
	if !e.Recommend.Step {
		return Errorf(KindConflict, "the edition %q has no recommendation step: submissions go to the city directly", e.Title)
	}
	if p.Status != ProjectSubmitted {
		return Errorf(KindConflict, "only a submission waiting for recommendation can be recommended or returned (this one is %s)", p.Status)
	}
	return nil
}

// RecommendText checks a recommender's comment or reason: required is
// whether it may be empty. It returns the trimmed text.
func RecommendText(s string, field string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if (required && n == 0) || n > 1000 {
		msg := "at most 1000 characters"
		if required {
			msg = "tell the unit what to change (1–1000 characters)"
		}
		return "", Invalid("the "+field+" is not valid", map[string]string{field: msg})
	}
	return s, nil
}

// RecommendQuotaUse is one root's quota and how much of it is used.
type RecommendQuotaUse struct {
	UnitID   int64
	UnitName string
	Quota    int
	// Set is false when the edition sets no quota for the root (nothing
	// can be recommended).
	Set  bool
	Used int
}

// ScopedAccountChange is what a recommender may change of a unit account
// of their subtree (nil keeps it).
type ScopedAccountChange struct {
	DisplayName *string
	Disabled    *bool
}
