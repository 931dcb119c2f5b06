package models

import (
	"net/mail"
	"slices"
	"strings"
	"time"
)

// NotificationKind is what a notification tells.
type NotificationKind string

// The kinds of notification (#13).
const (
	NoteSubmitted     NotificationKind = "project.submitted"   // to the unit: the submission was received
	NoteReturned      NotificationKind = "project.returned"    // to the unit: returned for changes, with the reason
	NoteEligibility   NotificationKind = "project.eligibility" // to the unit: eligible or not, with the reason
	NoteAssigned      NotificationKind = "round.assigned"      // to an expert: projects to score in a round
	NoteRoundClosing  NotificationKind = "round.closing"       // to an expert with unfinished scores
	NotePublished     NotificationKind = "round.published"     // to the units of a published round
	NoteObjectionDone NotificationKind = "objection.answered"  // to the signed-in sender of an objection
	// The recommendation step (县区推荐).
	NoteRecommended         NotificationKind = "project.recommended"             // to the unit: recommended to the city
	NoteRecommenderReturned NotificationKind = "project.returned_by_recommender" // to the unit: returned by its recommender, with the reason
	NoteAwaitingRecommend   NotificationKind = "project.awaiting_recommendation" // to the recommender: a submission waits for them
)

// NotificationKinds lists every kind, in the order the settings page shows.
var NotificationKinds = []NotificationKind{NoteSubmitted, NoteReturned, NoteEligibility, NoteAssigned, NoteRoundClosing, NotePublished, NoteObjectionDone,
	NoteRecommended, NoteRecommenderReturned, NoteAwaitingRecommend}

// Languages the server writes in; the first is the default.
var Languages = []string{"zh-CN", "en"}

// Notification is one message to one user, rendered in their language.
type Notification struct {
	ID        int64
	Kind      NotificationKind
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// NotificationPage is one page of a user's notifications, newest first.
type NotificationPage struct {
	Items  []Notification
	Total  int64
	Unread int64
}

// UserSettings is what a user sets about themself: the e-mail address
// notifications go to (empty: none), the language the server writes in,
// and the kinds they do not want by e-mail.
type UserSettings struct {
	Email    string
	Language string
	EmailOff []NotificationKind
}

// Normalize trims and checks the settings, naming every problem.
func (s *UserSettings) Normalize() error {
	fields := map[string]string{}
	s.Email = strings.TrimSpace(s.Email)
	if p := EmailProblem(s.Email); p != "" {
		fields["email"] = p
	}
	if s.Language == "" {
		s.Language = Languages[0]
	}
	if !slices.Contains(Languages, s.Language) {
		fields["language"] = "one of: " + strings.Join(Languages, ", ")
	}
	var off []NotificationKind
	for _, k := range s.EmailOff {
		if !slices.Contains(NotificationKinds, k) {
			fields["email_off"] = "unknown kind " + string(k)
			continue
		}
		if !slices.Contains(off, k) {
			off = append(off, k)
		}
	}
	slices.Sort(off)
	s.EmailOff = off
	if len(fields) > 0 {
		return Invalid("the settings are not valid", fields)
	}
	return nil
}

// EmailProblem says what is wrong with an e-mail address ("" when it is
// fine or empty).
func EmailProblem(e string) string {
	if e == "" {
		return ""
	}
	if a, err := mail.ParseAddress(e); err != nil || a.Address != e || len(e) > 254 {
		return "an e-mail address such as name@example.org"
	}
	return ""
}

// noteTemplate is a kind's text in one language: a title and a body, with
// {name} placeholders filled from the notification's parameters.
type noteTemplate struct{ title, body string }

var noteTemplates = map[NotificationKind]map[string]noteTemplate{
	NoteSubmitted: {
		"zh-CN": {"申报已收到：{project}", "项目「{project}」已提交（第 {version} 版），组委会将进行资格审核。"},
		"en":    {"Submission received: {project}", "“{project}” was submitted (version {version}); the organisers will check its eligibility."},
	},
	NoteReturned: {
		"zh-CN": {"项目已退回修改：{project}", "项目「{project}」已被组委会退回修改。原因：{reason}\n请修改后在截止前重新提交。"},
		"en":    {"Returned for changes: {project}", "The organisers returned “{project}” for changes. Reason: {reason}\nPlease change it and submit it again before the deadline."},
	},
	NoteEligibility: {
		"zh-CN": {"资格审核结果：{project}", "项目「{project}」资格审核结果：{status_zh}。{reason_zh}"},
		"en":    {"Eligibility decided: {project}", "“{project}” was found {status_en}. {reason_en}"},
	},
	NoteAssigned: {
		"zh-CN": {"评审任务：{round}", "您在「{round}」中有 {count} 个项目需要评分，截止时间 {closes}。"},
		"en":    {"Projects to score: {round}", "You have {count} projects to score in “{round}”, by {closes}."},
	},
	NoteRoundClosing: {
		"zh-CN": {"评审即将截止：{round}", "「{round}」将于 {closes} 截止（约 {hours} 小时后），您还有 {left} 个项目未提交评分。"},
		"en":    {"Scoring closes soon: {round}", "“{round}” closes at {closes} (in about {hours} hours) and {left} of your scores are not submitted yet."},
	},
	NotePublished: {
		"zh-CN": {"结果已公示：{round}", "「{round}」的结果已公示，公示期至 {until}。"},
		"en":    {"Results published: {round}", "The results of “{round}” are published; objections are open until {until}."},
	},
	NoteRecommended: {
		"zh-CN": {"项目已获推荐：{project}", "项目「{project}」已由{recommender}推荐至市级资格审核。{comment_zh}"},
		"en":    {"Recommended: {project}", "{recommender} recommended “{project}” to the city's eligibility check. {comment_en}"},
	},
	NoteRecommenderReturned: {
		"zh-CN": {"项目被推荐单位退回：{project}", "项目「{project}」已被{recommender}退回修改。原因：{reason}\n请修改后在截止前重新提交。"},
		"en":    {"Returned by your recommender: {project}", "{recommender} returned “{project}” for changes. Reason: {reason}\nPlease change it and submit it again before the deadline."},
	},
	NoteAwaitingRecommend: {
		"zh-CN": {"待推荐：{project}", "{unit}提交了项目「{project}」（第 {version} 版），等待您推荐或退回。"},
		"en":    {"Waiting for your recommendation: {project}", "{unit} submitted “{project}” (version {version}); it waits for you to recommend or return it."},
	},
	NoteObjectionDone: {
		"zh-CN": {"异议已答复：{round}", "您对「{round}」提出的异议已答复：{answer}"},
		"en":    {"Your objection was answered: {round}", "The organisers answered your objection to “{round}”: {answer}"},
	},
}

// RenderNotification writes a notification's title and body in lang (the
// default language when lang is not one of Languages).
func RenderNotification(kind NotificationKind, lang string, params map[string]string) (title, body string) {
	byLang, ok := noteTemplates[kind]
	if !ok {
		return string(kind), ""
	}
	t, ok := byLang[lang]
	if !ok {
		t = byLang[Languages[0]]
	}
	pairs := make([]string, 0, 2*len(params))
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", v)
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace(t.title), strings.TrimSpace(r.Replace(t.body))
}

// EligibilityParams are the parameters of an eligibility notification.
func EligibilityParams(project string, eligible bool, reason string) map[string]string {
	p := map[string]string{"project": project, "status_zh": "不符合申报条件", "status_en": "not eligible",
		"reason_zh": "", "reason_en": ""}
	if eligible {
		p["status_zh"], p["status_en"] = "符合申报条件，进入评审", "eligible for review"
	}
	if reason != "" {
		p["reason_zh"], p["reason_en"] = "说明："+reason, "Reason: "+reason
	}
	return p
}
