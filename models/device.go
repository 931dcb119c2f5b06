package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Device cookies follow OWASP's "device cookie" scheme against lock-out:
// a browser that has signed in as a user carries a cookie naming that user,
// signed by the server. A sign-in presenting a valid one is throttled on
// that cookie alone, so an attacker's failures elsewhere (even from the
// same venue address) never keep the user out; sign-ins without one are
// throttled per account and address and per address.

// DeviceLifetime is how long a device cookie is trusted.
const DeviceLifetime = 180 * 24 * time.Hour

// SignDevice returns the cookie value binding a random device id to a
// username, valid until expires.
func SignDevice(secret []byte, username, device string, expires time.Time) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(username))) + "." + device + "." +
		base64.RawURLEncoding.EncodeToString([]byte(expires.UTC().Format(time.RFC3339)))
	return payload + "." + deviceMAC(secret, payload)
}

// VerifyDevice returns the device id of a cookie signed for username and not
// expired at now, or "" when the cookie is missing, forged, for another
// user or expired.
func VerifyDevice(secret []byte, cookie, username string, now time.Time) string {
	parts := strings.Split(cookie, ".")
	if len(parts) != 4 || len(secret) == 0 {
		return ""
	}
	payload := strings.Join(parts[:3], ".")
	if !hmac.Equal([]byte(parts[3]), []byte(deviceMAC(secret, payload))) {
		return ""
	}
	user, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || string(user) != strings.ToLower(username) {
		return ""
	}
	exp, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return ""
	}
	until, err := time.Parse(time.RFC3339, string(exp))
	if err != nil || !until.After(now) || parts[1] == "" {
		return ""
	}
	return parts[1]
}

func deviceMAC(secret []byte, payload string) string {
	m := hmac.New(sha256.New, append([]byte("leitai device cookie\x00"), secret...))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// DeviceCookieName is the cookie holding a user's device cookie; one per
// user, so several people can share a browser.
func DeviceCookieName(username string) string {
	sum := sha256.Sum256([]byte("leitai device name\x00" + strings.ToLower(username)))
	return "leitai_dev_" + base64.RawURLEncoding.EncodeToString(sum[:9])
}

// LoginAttempt is one sign-in with a password.
type LoginAttempt struct {
	Username, Password string
	IP, UserAgent      string
	// Device is the id from a valid device cookie for Username, or "".
	Device string
}
