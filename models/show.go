package models

import (
	"strings"
	"time"
)

// ShowPhase is where the live final stands.
type ShowPhase string

// The phases of the show. Each slot runs: every project presents (with a
// timer) and takes questions (with a timer), then scoring opens for the
// whole slot, is sealed, and revealed.
const (
	PhaseIdle       ShowPhase = "idle"
	PhasePresenting ShowPhase = "presenting"
	PhaseQA         ShowPhase = "qa"
	PhaseScoring    ShowPhase = "scoring"
	PhaseSealed     ShowPhase = "sealed"
	PhaseRevealed   ShowPhase = "revealed"
	PhaseFinished   ShowPhase = "finished"
)

// ShowAction is a host's transition.
type ShowAction string

// The host's transitions.
const (
	ActionPresent     ShowAction = "present"      // the next project presents
	ActionQA          ShowAction = "qa"           // questions for the presenting project
	ActionOpenScoring ShowAction = "open_scoring" // after the slot's last Q&A
	ActionSeal        ShowAction = "seal"         // stop accepting scores
	ActionReveal      ShowAction = "reveal"       // show the slot's scores
	ActionReseal      ShowAction = "reseal"       // a correction: back to sealed, then reveal again
	ActionFinish      ShowAction = "finish"       // after the last slot's reveal: the podium
	ActionPause       ShowAction = "pause"        // the board shows a message; timers stop
	ActionResume      ShowAction = "resume"
	// ActionBack undoes a stage pressed too early: Q&A back to the
	// presentation, a presentation back to the previous project's Q&A (or,
	// for a slot's first, back to the previous slot's revealed scores or to
	// the start), scoring back to the last Q&A, sealed back to scoring. It
	// never un-reveals: a revealed slot is corrected with reseal.
	ActionBack ShowAction = "back"
	// The presentation or Q&A timer on its own, without pausing the show.
	ActionTimerPause   ShowAction = "timer_pause"
	ActionTimerResume  ShowAction = "timer_resume"
	ActionTimerRestart ShowAction = "timer_restart"
)

// ShowTimings are the slot timings.
type ShowTimings struct {
	Presentation time.Duration
	QA           time.Duration
}

// DefaultShowTimings are PRODUCT.md's: 5 minutes to present, 3 for Q&A.
var DefaultShowTimings = ShowTimings{Presentation: 5 * time.Minute, QA: 3 * time.Minute}

// Show is the state of a live final. Timers are server-authoritative:
// clients render the countdown from TimerStartedAt and TimerDuration (and
// TimerRemaining while paused), never from per-second broadcasts.
type Show struct {
	// Slots are the drawn programme: PK pairs or single projects.
	Slots [][]int64
	// Slot is the current slot's index (-1 before the first).
	Slot int
	// Project is the index, within the slot, of the project presenting or
	// answering questions.
	Project int
	Phase   ShowPhase
	Timings ShowTimings

	TimerStartedAt time.Time
	TimerDuration  time.Duration
	// Paused shows PauseMessage on the board and freezes the timer with
	// TimerRemaining left.
	Paused         bool
	PauseMessage   string
	TimerRemaining time.Duration
	// TimerHeld is the timer stopped on its own (the show goes on), with
	// TimerRemaining left.
	TimerHeld bool
	// RevealedAt is when the current slot was (last) revealed: every screen
	// derives the stages of the reveal from it, so two screens agree
	// whenever they connected. Zero outside the revealed phase.
	RevealedAt time.Time
	// PreviousRevealedAt keeps the previous slot's RevealedAt while the
	// next slot's first project presents, so that stepping back restores
	// the revealed slot as every screen showed it.
	PreviousRevealedAt time.Time
}

// NewShow starts a show on a drawn programme.
func NewShow(slots [][]int64, t ShowTimings) Show {
	return Show{Slots: slots, Slot: -1, Phase: PhaseIdle, Timings: t}
}

// CurrentProjects are the projects of the current slot.
func (s Show) CurrentProjects() []int64 {
	if s.Slot < 0 || s.Slot >= len(s.Slots) {
		return nil
	}
	return s.Slots[s.Slot]
}

// Allowed lists the transitions the state machine allows now, for the host
// console's buttons.
func (s Show) Allowed() []ShowAction {
	var out []ShowAction
	for _, a := range []ShowAction{ActionPresent, ActionQA, ActionOpenScoring, ActionSeal, ActionReveal, ActionReseal, ActionFinish,
		ActionPause, ActionResume, ActionBack, ActionTimerPause, ActionTimerResume, ActionTimerRestart} {
		if _, err := s.Apply(a, time.Time{}, "·"); err == nil { // any message will do for pause
			out = append(out, a)
		}
	}
	return out
}

func (s *Show) startTimer(d time.Duration, now time.Time) {
	s.TimerStartedAt, s.TimerDuration, s.TimerRemaining, s.TimerHeld = now, d, 0, false
}

func (s *Show) stopTimer() {
	s.TimerStartedAt, s.TimerDuration, s.TimerRemaining, s.TimerHeld = time.Time{}, 0, 0, false
}

// TimerFrozen reports whether the timer stands still (the show paused, or
// the timer held on its own) with TimerRemaining left.
func (s Show) TimerFrozen() bool { return s.Paused || s.TimerHeld }

// phaseTimer is the full length of the current phase's timer.
func (s Show) phaseTimer() time.Duration {
	if s.Phase == PhaseQA {
		return s.Timings.QA
	}
	return s.Timings.Presentation
}

// Apply returns the show after the host's action at now, or a conflict
// naming why the action is not possible in the current phase. The message
// is the pause text.
func (s Show) Apply(a ShowAction, now time.Time, message string) (Show, error) {
	bad := func() (Show, error) {
		return s, Errorf(KindConflict, "%q is not possible while the show is %s", a, s.Phase)
	}
	if s.Paused && a != ActionResume {
		return s, Errorf(KindConflict, "the show is paused: resume it first")
	}
	switch a {
	case ActionPause:
		if s.Paused || s.Phase == PhaseFinished {
			return bad()
		}
		msg := strings.TrimSpace(message)
		if msg == "" {
			return s, Invalid("a message for the board is required", map[string]string{"message": "required"})
		}
		s.Paused, s.PauseMessage = true, msg
		if !s.TimerStartedAt.IsZero() && !s.TimerHeld {
			s.TimerRemaining = max(s.TimerDuration-now.Sub(s.TimerStartedAt), 0)
		}
		return s, nil
	case ActionResume:
		if !s.Paused {
			return bad()
		}
		s.Paused, s.PauseMessage = false, ""
		if !s.TimerStartedAt.IsZero() && !s.TimerHeld {
			s.startTimer(s.TimerRemaining, now)
		}
		return s, nil
	case ActionTimerPause:
		if (s.Phase != PhasePresenting && s.Phase != PhaseQA) || s.TimerStartedAt.IsZero() || s.TimerHeld {
			return bad()
		}
		s.TimerRemaining, s.TimerHeld = max(s.TimerDuration-now.Sub(s.TimerStartedAt), 0), true
		return s, nil
	case ActionTimerResume:
		if (s.Phase != PhasePresenting && s.Phase != PhaseQA) || !s.TimerHeld {
			return bad()
		}
		s.startTimer(s.TimerRemaining, now)
		return s, nil
	case ActionTimerRestart:
		if s.Phase != PhasePresenting && s.Phase != PhaseQA {
			return bad()
		}
		s.startTimer(s.phaseTimer(), now)
		return s, nil
	case ActionBack:
		switch {
		case s.Phase == PhaseQA:
			s.Phase = PhasePresenting
			s.startTimer(s.Timings.Presentation, now)
		case s.Phase == PhasePresenting && s.Project > 0:
			s.Project--
			s.Phase = PhaseQA
			s.startTimer(s.Timings.QA, now)
		case s.Phase == PhasePresenting && s.Slot > 0:
			// Back to the previous slot as it was left: revealed, at the
			// time it was revealed.
			s.Slot, s.Project, s.Phase = s.Slot-1, 0, PhaseRevealed
			s.RevealedAt, s.PreviousRevealedAt = s.PreviousRevealedAt, time.Time{}
			s.stopTimer()
		case s.Phase == PhasePresenting:
			s.Slot, s.Project, s.Phase = -1, 0, PhaseIdle
			s.stopTimer()
		case s.Phase == PhaseScoring:
			s.Project = len(s.CurrentProjects()) - 1
			s.Phase = PhaseQA
			s.startTimer(s.Timings.QA, now)
		case s.Phase == PhaseSealed:
			s.Phase = PhaseScoring
		default:
			return bad()
		}
		return s, nil
	case ActionPresent:
		switch {
		case (s.Phase == PhaseIdle || s.Phase == PhaseRevealed) && s.Slot+1 < len(s.Slots):
			s.Slot, s.Project = s.Slot+1, 0
			s.PreviousRevealedAt = s.RevealedAt
		case s.Phase == PhaseQA && s.Project+1 < len(s.CurrentProjects()):
			s.Project++
		default:
			return bad()
		}
		s.Phase = PhasePresenting
		s.RevealedAt = time.Time{}
		s.startTimer(s.Timings.Presentation, now)
		return s, nil
	case ActionQA:
		if s.Phase != PhasePresenting {
			return bad()
		}
		s.Phase = PhaseQA
		s.startTimer(s.Timings.QA, now)
		return s, nil
	case ActionOpenScoring:
		if s.Phase != PhaseQA || s.Project+1 != len(s.CurrentProjects()) {
			return bad()
		}
		s.Phase = PhaseScoring
		s.TimerStartedAt, s.TimerDuration = time.Time{}, 0
		return s, nil
	case ActionSeal:
		if s.Phase != PhaseScoring {
			return bad()
		}
		s.Phase = PhaseSealed
		return s, nil
	case ActionReveal:
		if s.Phase != PhaseSealed {
			return bad()
		}
		s.Phase = PhaseRevealed
		s.RevealedAt = now
		return s, nil
	case ActionReseal:
		if s.Phase != PhaseRevealed {
			return bad()
		}
		s.Phase = PhaseSealed
		s.RevealedAt = time.Time{}
		return s, nil
	case ActionFinish:
		if s.Phase != PhaseRevealed || s.Slot+1 != len(s.Slots) {
			return bad()
		}
		s.Phase = PhaseFinished
		return s, nil
	}
	return s, Errorf(KindInvalid, "unknown action %q", a)
}

// AcceptsLiveScores reports whether judges' tablets may submit now.
func (s Show) AcceptsLiveScores() error {
	if s.Phase != PhaseScoring || s.Paused {
		return Errorf(KindConflict, "scoring is not open")
	}
	return nil
}

// ScoresPublic reports whether the current slot's scores may reach the
// public board: only once revealed (a correction re-seals them).
func (s Show) ScoresPublic() bool {
	return s.Phase == PhaseRevealed || s.Phase == PhaseFinished
}
