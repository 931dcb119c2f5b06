package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"leitai/models"
)

// The audit log shows each action in words (issue #15, item 16): every action
// code the storage layer writes must have a label in both languages under
// audit.actions in frontend/src/locales/{zh-CN,en}.ts (the code, e.g.
// "score.submit", becomes the key score_submit), and every entity a label
// under audit.entities.

var (
	// The forms in which storage names an action: a literal in an audit record,
	// FollowService.audit's third argument, createUser's last, writeLiveScore's
	// action argument, and a variable set from a literal.
	auditLiteral = []*regexp.Regexp{
		regexp.MustCompile(`Action:\s*"([a-z_]+\.[a-z_]+)"`),
		regexp.MustCompile(`s\.audit\(tx, who, "([a-z_]+\.[a-z_]+)"`),
		regexp.MustCompile(`createUser\(.*"([a-z_]+\.[a-z_]+)"\)`),
		regexp.MustCompile(`writeLiveScore\(.*"([a-z_]+\.[a-z_]+)"`),
		regexp.MustCompile(`\baction(?:, row\.Status)?\s*:?=\s*"([a-z_]+\.[a-z_]+)"`),
	}
	// A prefix with a state: "round." + string(to), "live." + string(action).
	auditDynamic = regexp.MustCompile(`Action:\s*"([a-z_]+)\." \+ string\((\w+)\)`)
	// Any other form of Action: must be one of the pass-throughs below.
	auditAnyAction = regexp.MustCompile(`Action:\s*([^,}]+)`)
	auditEntity    = regexp.MustCompile(`Entity:\s*"([a-z_]+)"`)
)

// auditCodes returns the action codes and entities that storage's code writes.
func auditCodes(t *testing.T) (actions, entities map[string]bool) {
	t.Helper()
	files, err := filepath.Glob("storage/*.go")
	if err != nil {
		t.Fatal(err)
	}
	actions, entities = map[string]bool{}, map[string]bool{}
	dynamic := map[string][]string{}
	for _, st := range []models.RoundStatus{models.RoundDraft, models.RoundOpen, models.RoundClosed, models.RoundPublished} {
		dynamic["round"] = append(dynamic["round"], string(st))
	}
	for _, a := range []models.ShowAction{models.ActionPresent, models.ActionQA, models.ActionOpenScoring, models.ActionSeal,
		models.ActionReveal, models.ActionReseal, models.ActionFinish, models.ActionPause, models.ActionResume,
		models.ActionBack, models.ActionTimerPause, models.ActionTimerResume, models.ActionTimerRestart} {
		dynamic["live"] = append(dynamic["live"], string(a))
	}
	passThrough := map[string]bool{"action": true, "r.Action": true, "rec.Action": true, "e.Action": true, "w.Action": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		for _, re := range auditLiteral {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				actions[m[1]] = true
			}
		}
		for _, m := range auditDynamic.FindAllStringSubmatch(text, -1) {
			states, ok := dynamic[m[1]]
			if !ok {
				t.Errorf("%s: audit action %q + a state: this test does not know its states", f, m[1])
			}
			for _, s := range states {
				actions[m[1]+"."+s] = true
			}
		}
		for _, m := range auditAnyAction.FindAllStringSubmatch(text, -1) {
			v := strings.TrimSpace(m[1])
			if strings.HasPrefix(v, `"`) || passThrough[v] {
				continue
			}
			t.Errorf("%s: an audit action written as %s: teach this test where its codes come from", f, v)
		}
		for _, m := range auditEntity.FindAllStringSubmatch(text, -1) {
			entities[m[1]] = true
		}
	}
	return actions, entities
}

// localeBlock returns the keys of the block `name: {` inside the top-level
// audit block of a locale file.
func localeBlock(t *testing.T, file, name string) map[string]bool {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	a := strings.Index(text, "\n  audit: {")
	if a < 0 {
		t.Fatalf("%s: no audit block", file)
	}
	i := strings.Index(text[a:], "\n    "+name+": {\n")
	if i < 0 {
		t.Fatalf("%s: no audit.%s block", file, name)
	}
	body := text[a+i:]
	body = body[:strings.Index(body[1:], "\n    },")+1]
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^      ([a-z_]+): ['"]`).FindAllStringSubmatch(body, -1) {
		keys[m[1]] = true
	}
	return keys
}

func TestAuditActionsHaveWords(t *testing.T) {
	actions, entities := auditCodes(t)
	if len(actions) < 50 || len(entities) < 5 {
		t.Fatalf("found only %d actions and %d entities in storage: the patterns no longer match its code", len(actions), len(entities))
	}
	for _, lang := range []string{"zh-CN", "en"} {
		file := filepath.Join("frontend", "src", "locales", lang+".ts")
		words := localeBlock(t, file, "actions")
		var missing []string
		for code := range actions {
			if !words[strings.ReplaceAll(code, ".", "_")] {
				missing = append(missing, code)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s: audit actions with no words (add them under audit.actions): %s", file, strings.Join(missing, ", "))
		}
		names := localeBlock(t, file, "entities")
		var unnamed []string
		for e := range entities {
			if !names[e] {
				unnamed = append(unnamed, e)
			}
		}
		sort.Strings(unnamed)
		if len(unnamed) > 0 {
			t.Errorf("%s: audit entities with no name (add them under audit.entities): %s", file, strings.Join(unnamed, ", "))
		}
	}
}
