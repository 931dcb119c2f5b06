package models

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// Passwords are refused when they are short or easy to guess: zxcvbn (a
// maintained strength estimator with English dictionaries, keyboard
// patterns, dates and repeats) must rate them at least "somewhat
// guessable" (score 2, about a million guesses), and they must not be on
// the embedded list of passwords common in China, which zxcvbn's
// dictionaries miss (woaini1314, 5201314, qq123456, pinyin names …).

// MinPasswordScore is the lowest zxcvbn score accepted (0–4).
const MinPasswordScore = 2

// PasswordTooCommon is the field problem of a guessable password; the
// frontend shows it in the user's language.
const PasswordTooCommon = "too common or easy to guess: use a longer phrase of unrelated words"

//go:embed passwords/common-cn.txt
var commonCN string

var commonOnce = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonCN, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
})

// PasswordProblem describes what is wrong with a new password, or "".
func PasswordProblem(p string) string {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordLength:
		return "at least 8 characters"
	case len(p) > 72:
		return "at most 72 bytes"
	case commonOnce()[strings.ToLower(p)]:
		return PasswordTooCommon
	case zxcvbn.PasswordStrength(p, nil).Score < MinPasswordScore:
		return PasswordTooCommon
	}
	return ""
}
