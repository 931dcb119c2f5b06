package models

import (
	"slices"
	"testing"
	"time"
)

func TestShowRunsAPKSlotThenASingle(t *testing.T) {
	t0 := time.Date(2026, 12, 20, 14, 0, 0, 0, time.UTC)
	s := NewShow([][]int64{{7, 3}, {5}}, DefaultShowTimings)
	steps := []struct {
		action  ShowAction
		phase   ShowPhase
		slot    int
		project int
	}{
		{ActionPresent, PhasePresenting, 0, 0},
		{ActionQA, PhaseQA, 0, 0},
		{ActionPresent, PhasePresenting, 0, 1},
		{ActionQA, PhaseQA, 0, 1},
		{ActionOpenScoring, PhaseScoring, 0, 1},
		{ActionSeal, PhaseSealed, 0, 1},
		{ActionReveal, PhaseRevealed, 0, 1},
		{ActionReseal, PhaseSealed, 0, 1},
		{ActionReveal, PhaseRevealed, 0, 1},
		{ActionPresent, PhasePresenting, 1, 0},
		{ActionQA, PhaseQA, 1, 0},
		{ActionOpenScoring, PhaseScoring, 1, 0},
		{ActionSeal, PhaseSealed, 1, 0},
		{ActionReveal, PhaseRevealed, 1, 0},
		{ActionFinish, PhaseFinished, 1, 0},
	}
	for i, st := range steps {
		next, err := s.Apply(st.action, t0.Add(time.Duration(i)*time.Minute), "")
		if err != nil {
			t.Fatalf("step %d %s: %v", i, st.action, err)
		}
		if next.Phase != st.phase || next.Slot != st.slot || next.Project != st.project {
			t.Fatalf("step %d %s: %s slot %d project %d", i, st.action, next.Phase, next.Slot, next.Project)
		}
		if st.phase == PhaseScoring && next.AcceptsLiveScores() != nil {
			t.Fatal("scoring must accept scores")
		}
		if (st.phase == PhaseSealed || st.phase == PhaseScoring) && next.ScoresPublic() {
			t.Fatal("sealed scores must not be public")
		}
		// The reveal's moment is kept (screens play the reveal from it) and
		// cleared when the slot is re-sealed or the next one starts.
		if st.action == ActionReveal && !next.RevealedAt.Equal(t0.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("step %d: revealed at %v", i, next.RevealedAt)
		}
		if (st.phase == PhaseSealed || st.phase == PhasePresenting) && !next.RevealedAt.IsZero() {
			t.Fatalf("step %d %s: revealed at %v, want zero", i, st.action, next.RevealedAt)
		}
		s = next
	}
}

func TestShowRefusesOutOfOrder(t *testing.T) {
	s := NewShow([][]int64{{7, 3}}, DefaultShowTimings)
	now := time.Now()
	for _, a := range []ShowAction{ActionQA, ActionOpenScoring, ActionSeal, ActionReveal, ActionFinish, ActionResume} {
		if _, err := s.Apply(a, now, ""); KindOf(err) != KindConflict {
			t.Errorf("%s from idle: %v", a, err)
		}
	}
	s, _ = s.Apply(ActionPresent, now, "")
	s, _ = s.Apply(ActionQA, now, "")
	// The slot's second project has not presented: no scoring yet.
	if _, err := s.Apply(ActionOpenScoring, now, ""); KindOf(err) != KindConflict {
		t.Fatalf("scoring before every project presented: %v", err)
	}
	if got := s.Allowed(); !slices.Equal(got, []ShowAction{ActionPresent, ActionPause}) {
		t.Fatalf("allowed during Q&A: %v", got)
	}
}

func TestShowPauseFreezesTheTimer(t *testing.T) {
	t0 := time.Date(2026, 12, 20, 14, 0, 0, 0, time.UTC)
	s := NewShow([][]int64{{1}}, DefaultShowTimings)
	s, _ = s.Apply(ActionPresent, t0, "")
	if _, err := s.Apply(ActionPause, t0, " "); KindOf(err) != KindInvalid {
		t.Fatalf("pause without a message: %v", err)
	}
	s, err := s.Apply(ActionPause, t0.Add(2*time.Minute), "技术调整，请稍候")
	if err != nil || !s.Paused || s.TimerRemaining != 3*time.Minute {
		t.Fatalf("pause: %+v %v", s, err)
	}
	if _, err := s.Apply(ActionQA, t0.Add(3*time.Minute), ""); KindOf(err) != KindConflict {
		t.Fatalf("acting while paused: %v", err)
	}
	s, err = s.Apply(ActionResume, t0.Add(10*time.Minute), "")
	if err != nil || s.Paused || s.TimerDuration != 3*time.Minute || !s.TimerStartedAt.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("resume: %+v %v", s, err)
	}
}
