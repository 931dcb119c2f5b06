package models

import "testing"

func TestPasswordProblem(t *testing.T) {
	for _, p := range []string{"12345678", "password", "password1", "qwertyui", "11111111", "abcd1234", "iloveyou", "88888888",
		"woaini1314", "WOAINI1314", "qq123456", "zhang123456", "Passw0rd!", "aaaaaaaaaaaa"} {
		if PasswordProblem(p) != PasswordTooCommon {
			t.Errorf("%q accepted (or refused for another reason: %q)", p, PasswordProblem(p))
		}
	}
	for _, p := range []string{"huizhou-final-2026", "tablet-pass-1", "a-long-password", "惠州社会治理创新", GeneratePassword()} {
		if got := PasswordProblem(p); got != "" {
			t.Errorf("%q refused: %s", p, got)
		}
	}
	if PasswordProblem("short") != "at least 8 characters" {
		t.Errorf("short")
	}
}
