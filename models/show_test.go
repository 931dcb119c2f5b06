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
	if got := s.Allowed(); !slices.Equal(got, []ShowAction{ActionPresent, ActionPause, ActionBack, ActionTimerPause, ActionTimerRestart}) {
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

// TestShowStepsBack: each stage pressed too early can be undone, never a
// reveal; the timers restart as the stage starts again.
func TestShowStepsBack(t *testing.T) {
	t0 := time.Date(2026, 12, 20, 14, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	s := NewShow([][]int64{{7, 3}, {5}}, DefaultShowTimings)
	if _, err := s.Apply(ActionBack, t0, ""); KindOf(err) != KindConflict {
		t.Fatalf("back before the show: %v", err)
	}
	step := func(a ShowAction, min int) {
		t.Helper()
		next, err := s.Apply(a, at(min), "")
		if err != nil {
			t.Fatalf("%s from %s: %v", a, s.Phase, err)
		}
		s = next
	}
	want := func(phase ShowPhase, slot, project int, timer time.Duration) {
		t.Helper()
		if s.Phase != phase || s.Slot != slot || s.Project != project || s.TimerDuration != timer {
			t.Fatalf("got %s slot %d project %d timer %s, want %s slot %d project %d timer %s", s.Phase, s.Slot, s.Project, s.TimerDuration, phase, slot, project, timer)
		}
	}
	step(ActionPresent, 0)
	step(ActionBack, 1) // pressed too early: back to the start
	want(PhaseIdle, -1, 0, 0)
	step(ActionPresent, 2)
	step(ActionQA, 7)
	step(ActionBack, 8) // Q&A too early: the presentation again, with its full timer
	want(PhasePresenting, 0, 0, 5*time.Minute)
	step(ActionQA, 13)
	step(ActionPresent, 16)
	step(ActionBack, 16) // the second project too early: the first's Q&A again
	want(PhaseQA, 0, 0, 3*time.Minute)
	step(ActionPresent, 19)
	step(ActionQA, 24)
	step(ActionOpenScoring, 27)
	step(ActionBack, 27) // scoring too early: the last Q&A
	want(PhaseQA, 0, 1, 3*time.Minute)
	step(ActionOpenScoring, 30)
	step(ActionSeal, 32)
	step(ActionBack, 32) // sealed too early: scoring again
	want(PhaseScoring, 0, 1, 0)
	if err := s.AcceptsLiveScores(); err != nil {
		t.Fatalf("scoring reopened refuses scores: %v", err)
	}
	step(ActionSeal, 33)
	step(ActionReveal, 34)
	if _, err := s.Apply(ActionBack, at(35), ""); KindOf(err) != KindConflict {
		t.Fatalf("back from a reveal (it never un-reveals): %v", err)
	}
	revealed := s.RevealedAt
	step(ActionPresent, 36)
	step(ActionBack, 36) // the next slot too early: the revealed slot as it was
	want(PhaseRevealed, 0, 0, 0)
	if !s.RevealedAt.Equal(revealed) || !s.ScoresPublic() {
		t.Fatalf("the revealed slot came back changed: %v, want %v", s.RevealedAt, revealed)
	}
}

// TestShowTimerOnItsOwn: the host holds, resumes and restarts the timer
// without pausing the show; a show pause meanwhile keeps what was left.
func TestShowTimerOnItsOwn(t *testing.T) {
	t0 := time.Date(2026, 12, 20, 14, 0, 0, 0, time.UTC)
	s := NewShow([][]int64{{1}}, DefaultShowTimings)
	if _, err := s.Apply(ActionTimerPause, t0, ""); KindOf(err) != KindConflict {
		t.Fatalf("holding a timer before any runs: %v", err)
	}
	s, _ = s.Apply(ActionPresent, t0, "")
	s, err := s.Apply(ActionTimerPause, t0.Add(2*time.Minute), "")
	if err != nil || !s.TimerHeld || s.TimerRemaining != 3*time.Minute || s.Paused || !s.TimerFrozen() {
		t.Fatalf("hold: %+v %v", s, err)
	}
	if _, err := s.Apply(ActionTimerPause, t0.Add(3*time.Minute), ""); KindOf(err) != KindConflict {
		t.Fatalf("holding twice: %v", err)
	}
	// A show pause and resume while the timer is held leave it held with what it had.
	s, _ = s.Apply(ActionPause, t0.Add(4*time.Minute), "技术调整")
	s, _ = s.Apply(ActionResume, t0.Add(6*time.Minute), "")
	if !s.TimerHeld || s.TimerRemaining != 3*time.Minute {
		t.Fatalf("a show pause lost the held timer: %+v", s)
	}
	s, err = s.Apply(ActionTimerResume, t0.Add(7*time.Minute), "")
	if err != nil || s.TimerHeld || s.TimerDuration != 3*time.Minute || !s.TimerStartedAt.Equal(t0.Add(7*time.Minute)) {
		t.Fatalf("resume: %+v %v", s, err)
	}
	s, _ = s.Apply(ActionQA, t0.Add(9*time.Minute), "")
	s, err = s.Apply(ActionTimerRestart, t0.Add(10*time.Minute), "")
	if err != nil || s.TimerDuration != 3*time.Minute || !s.TimerStartedAt.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("restart: %+v %v", s, err)
	}
}
