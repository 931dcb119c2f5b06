package models

import (
	"testing"
	"time"
)

func TestRubrics(t *testing.T) {
	if got := DefaultRubric().Total(); got != 100_00 {
		t.Fatalf("default rubric totals %d", got)
	}
	final := FinalRubric()
	if got := final.Total(); got != 100_00 || final[0].Max != 2250 || final[5].Key != "presentation" {
		t.Fatalf("final rubric: total %d, %+v", got, final)
	}
	if err := final.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Rubric{{Key: "Innovative", NameZh: "创新", Max: 2500, Step: 50}, {Key: "x", NameZh: "x", Max: 1000, Step: 30}, {Key: "x", NameZh: "y", Max: 100, Step: 50}}
	var me *Error
	if err := bad.Validate(); err == nil || !asError(err, &me) || len(me.Fields) != 3 {
		t.Fatalf("bad rubric: %v", err)
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

func TestCheckScore(t *testing.T) {
	r := DefaultRubric()
	full := map[string]int64{"innovative": 2250, "exploratory": 1800, "demonstrative": 0, "replicable": 2000, "sustainable": 1500}
	if err := r.CheckScore(full, true); err != nil {
		t.Fatalf("a full, valid score: %v", err)
	}
	tests := []struct {
		name   string
		points map[string]int64
		field  string
		want   string
	}{
		{"over max", map[string]int64{"innovative": 2550}, "innovative", "between 0 and 25"},
		{"negative", map[string]int64{"exploratory": -50}, "exploratory", "between 0 and 20"},
		{"off step", map[string]int64{"sustainable": 1230}, "sustainable", "in steps of 0.5"},
		{"unknown", map[string]int64{"beauty": 100}, "beauty", "not a criterion of this round"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var me *Error
			err := r.CheckScore(tt.points, false)
			if !asError(err, &me) || me.Fields[tt.field] != tt.want {
				t.Fatalf("CheckScore: %v (fields %v)", err, me)
			}
		})
	}
	var me *Error
	if err := r.CheckScore(map[string]int64{"innovative": 2000}, true); !asError(err, &me) || me.Fields["sustainable"] != "required" {
		t.Fatalf("incomplete submit: %v", err)
	}
	if err := r.CheckScore(map[string]int64{"innovative": 2000}, false); err != nil {
		t.Fatalf("a partial draft is fine: %v", err)
	}
}

func TestRoundStateMachine(t *testing.T) {
	now := time.Now()
	r := Round{Name: "初审", Kind: RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), Rubric: DefaultRubric(),
		ReviewersPerProject: 5, Method: "trimmed_mean", Trim: 1, KeyCriterion: "innovative", Status: RoundDraft}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		to RoundStatus
		ok bool
	}{
		{RoundClosed, false}, {RoundPublished, false}, {RoundOpen, true}, {RoundPublished, false},
		{RoundClosed, true}, {RoundOpen, true}, {RoundClosed, true}, {RoundPublished, true}, {RoundOpen, false}, {RoundDraft, false},
	}
	for i, s := range steps {
		err := r.CanMoveTo(s.to)
		if (err == nil) != s.ok {
			t.Fatalf("step %d: %s → %s: %v", i, r.Status, s.to, err)
		}
		if err == nil {
			r.Status = s.to
		}
	}
	open := r
	open.Status = RoundOpen
	if open.CanEditSettings() == nil || open.AcceptsScores(now) != nil || open.CanDecide() == nil {
		t.Fatal("an open round takes scores, not settings or decisions")
	}
	if open.AcceptsScores(now.Add(2*time.Hour)) == nil {
		t.Fatal("after the window no score changes")
	}
	closed := r
	closed.Status = RoundClosed
	if KindOf(closed.AcceptsScores(now)) != KindConflict || closed.CanDecide() != nil {
		t.Fatal("a closed round takes decisions, and score changes are conflicts")
	}
	live := r
	live.Kind, live.Method, live.Trim = RoundLive, "median", 0
	var me *Error
	if err := live.Validate(); !asError(err, &me) || me.Fields["method"] == "" {
		t.Fatalf("a live round with median: %v", err)
	}
}

func TestJudgeOfExpert(t *testing.T) {
	if j := JudgeOfExpert(42); j != "E42" {
		t.Fatalf("JudgeOfExpert = %q", j)
	}
	for judge, want := range map[string]int64{"E42": 42, "E0": 0, "J1": 0, "E": 0, "E-3": 0, "Ex": 0} {
		got, ok := ExpertOfJudge(judge)
		if got != want || ok != (want > 0) {
			t.Errorf("ExpertOfJudge(%q) = %d, %v", judge, got, ok)
		}
	}
}
