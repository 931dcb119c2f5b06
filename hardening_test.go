package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// postLogin signs in with the given cookies and returns the status and the
// cookies set.
func postLogin(t *testing.T, base, username, password string, cookies []*http.Cookie) (int, []*http.Cookie) {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"username": username, "password": password})
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Cookies()
}

// TestAttackerCannotLockOutAKnownDevice is the lock-out attack of the
// adversarial test: an attacker on the same address (one venue Wi-Fi)
// keeps failing as a unit user; the user's browser, which has signed in
// before, still gets in at once with the right password.
func TestAttackerCannotLockOutAKnownDevice(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	seedRoles(t, base, dir)

	code, cookies := postLogin(t, base, "r-unit", "password-unit", nil)
	var device []*http.Cookie
	for _, c := range cookies {
		if strings.HasPrefix(c.Name, "leitai_dev_") {
			device = append(device, c)
		}
	}
	if code != 200 || len(device) != 1 {
		t.Fatalf("first sign-in: %d, device cookies %v", code, cookies)
	}
	for i := 0; i < 12; i++ {
		postLogin(t, base, "r-unit", "guess", nil)
	}
	if code, _ := postLogin(t, base, "r-unit", "password-unit", nil); code != 429 {
		t.Fatalf("an unknown device behind the guesser's address is slowed: got %d, want 429", code)
	}
	for i := 0; i < 5; i++ {
		if code, set := postLogin(t, base, "r-unit", "password-unit", device); code != 200 {
			t.Fatalf("attempt %d: the user's own device was refused with %d after an attacker's failures", i+1, code)
		} else {
			for _, c := range set {
				if c.Name == device[0].Name {
					device = []*http.Cookie{c}
				}
			}
		}
	}
}
