package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"leitai/models"
)

// The handler tests run the real app (routes, access rules, decoding, the
// ErrorHandler) over small function-field fakes of the interfaces each
// handler file declares, in the style of benbjohnson/wtf's mock package.
// A fake method the test did not set answers errUnexpected, which the
// ErrorHandler turns into a 500 the case then fails on.

var errUnexpected = errors.New("a call the test did not expect")

// testUsers are the signed-in callers, by session token.
var testUsers = map[string]models.User{
	"admin":  {ID: 1, Username: "admin", Roles: []models.Role{models.RoleAdmin}},
	"unit":   {ID: 2, Username: "unit", Roles: []models.Role{models.RoleUnit}, UnitID: ptr(int64(7))},
	"expert": {ID: 3, Username: "expert", Roles: []models.Role{models.RoleExpert}},
	"host":   {ID: 4, Username: "host", Roles: []models.Role{models.RoleHost}},
}

func ptr[T any](v T) *T { return &v }

// sessions is an Accounts that knows the testUsers' sessions and nothing
// else.
type sessions struct{}

func (sessions) SessionByToken(_ context.Context, token string) (models.Session, error) {
	u, ok := testUsers[token]
	if !ok {
		return models.Session{}, models.ErrUnauthenticated
	}
	return models.Session{User: u, CSRFToken: "csrf-" + token, ExpiresAt: time.Now().Add(time.Hour)}, nil
}
func (sessions) Login(context.Context, models.LoginAttempt) (string, models.Session, error) {
	return "", models.Session{}, errUnexpected
}
func (sessions) Logout(context.Context, string) error { return errUnexpected }
func (sessions) ChangePassword(context.Context, models.Actor, int64, string, string, string) (string, models.Session, error) {
	return "", models.Session{}, errUnexpected
}
func (sessions) RedeemLoginLink(context.Context, string, string, string) (string, models.Session, error) {
	return "", models.Session{}, errUnexpected
}
func (sessions) SetupNeeded(context.Context) (bool, error) { return false, errUnexpected }
func (sessions) SetupFirstAdmin(context.Context, models.NewUser, string, string) (string, models.Session, error) {
	return "", models.Session{}, errUnexpected
}

// failByID is the fakes' convention for error mapping: id 404 is not
// found, 409 a state conflict, 403 forbidden; any other id succeeds.
func failByID(id int64) error {
	switch id {
	case 404:
		return models.Errorf(models.KindNotFound, "no such thing %d", id)
	case 409:
		return models.Errorf(models.KindConflict, "the thing %d is in the wrong state", id)
	case 403:
		return models.ErrForbidden
	}
	return nil
}

// apiCase is one request and what must come back: the status and
// substrings of the body.
type apiCase struct {
	name   string
	method string
	path   string
	as     string // a testUsers token, or "" for no session
	body   string
	ctype  string // Content-Type of the body; JSON when empty
	status int
	want   []string
	// absent must not appear in the body.
	absent []string
	// header is sent with the request; wantHeader must come back.
	header, wantHeader map[string]string
}

// get, post, … build cases tersely.
func get(name, path, as string, status int, want ...string) apiCase {
	return apiCase{name: name, method: "GET", path: path, as: as, status: status, want: want}
}

func send(name, method, path, as, body string, status int, want ...string) apiCase {
	return apiCase{name: name, method: method, path: path, as: as, body: body, status: status, want: want}
}

// upload is a multipart form with the CSV as its "file" field, as the
// import routes take it.
func upload(name, path, as, csv string, status int, want ...string) apiCase {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	f, _ := w.CreateFormFile("file", "table.csv")
	f.Write([]byte(csv))
	w.Close()
	return apiCase{name: name, method: "POST", path: path, as: as, body: b.String(), ctype: w.FormDataContentType(), status: status, want: want}
}

// runCases serves each case through the whole app built from d (with the
// test sessions and working health checks filled in).
func runCases(t *testing.T, d Deps, cases []apiCase) {
	t.Helper()
	d.Accounts = sessions{}
	if d.DB == nil {
		d.DB = pinger{}
	}
	if d.Objects == nil {
		d.Objects = pinger{}
	}
	app := New(d)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req := httptest.NewRequest(tc.method, tc.path, body)
			switch {
			case tc.ctype != "":
				req.Header.Set("Content-Type", tc.ctype)
			case tc.body != "":
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			if tc.as != "" {
				req.Header.Set("Cookie", sessionCookie+"="+tc.as)
				req.Header.Set(csrfHeader, "csrf-"+tc.as)
			}
			resp, err := app.Test(req, 5000)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s as %q: status %d, want %d: %s", tc.method, tc.path, tc.as, resp.StatusCode, tc.status, out)
			}
			for k, v := range tc.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s %s: header %s = %q, want %q", tc.method, tc.path, k, got, v)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("%s %s: body lacks %s: %s", tc.method, tc.path, w, out)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(string(out), w) {
					t.Errorf("%s %s: body shows %s: %s", tc.method, tc.path, w, out)
				}
			}
		})
	}
}
