package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"leitai/models"
)

func mustUnit(t *testing.T, db *DB, parent *int64, kind models.UnitKind, name string) int64 {
	t.Helper()
	u, err := db.CreateUnit(context.Background(), cli, models.UnitInput{ParentID: parent, Kind: kind, Name: name})
	if err != nil {
		t.Fatalf("create unit %s: %v", name, err)
	}
	return u.ID
}

func mustUser(t *testing.T, db *DB, username string, roles []models.Role, unit *int64) models.User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), cli, models.NewUser{Username: username, Password: "password-" + username + "-2026", Roles: roles, UnitID: unit})
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

func fieldsOf(err error) map[string]string {
	var me *models.Error
	if errors.As(err, &me) {
		return me.Fields
	}
	return nil
}

func testUnits(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	county := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	town := mustUnit(t, db, &county, models.UnitTown, "江北街道")
	village := mustUnit(t, db, &town, models.UnitVillage, "三新社区")

	// Kinds must nest: a village cannot sit under a county.
	_, err := db.CreateUnit(ctx, cli, models.UnitInput{ParentID: &county, Kind: models.UnitVillage, Name: "错位村"})
	if fieldsOf(err)["parent_id"] == "" {
		t.Fatalf("village under county: %v", err)
	}
	// Same name under the same parent is a conflict naming the field.
	_, err = db.CreateUnit(ctx, cli, models.UnitInput{ParentID: &city, Kind: models.UnitCounty, Name: "惠城区"})
	if models.KindOf(err) != models.KindConflict || fieldsOf(err)["name"] == "" {
		t.Fatalf("duplicate name: %v", err)
	}
	// A unit cannot be its own ancestor.
	_, err = db.UpdateUnit(ctx, cli, county, models.UnitInput{ParentID: &village, Kind: models.UnitCounty, Name: "惠城区"})
	if fieldsOf(err)["parent_id"] == "" || !strings.Contains(err.Error(), "own ancestor") {
		t.Fatalf("cycle: %v", err)
	}
	_, err = db.UpdateUnit(ctx, cli, county, models.UnitInput{ParentID: &county, Kind: models.UnitCounty, Name: "惠城区"})
	if fieldsOf(err)["parent_id"] == "" {
		t.Fatalf("own parent: %v", err)
	}
	// Renaming keeps zero-value fields (an emptied contact is saved).
	if _, err := db.UpdateUnit(ctx, cli, town, models.UnitInput{ParentID: &county, Kind: models.UnitTown, Name: "江北街道", ContactName: "李", ContactPhone: "0752-2345678"}); err != nil {
		t.Fatal(err)
	}
	u, err := db.UpdateUnit(ctx, cli, town, models.UnitInput{ParentID: &county, Kind: models.UnitTown, Name: "江北街道"})
	if err != nil || u.ContactName != "" || u.ContactPhone != "" {
		t.Fatalf("clearing contact: %+v %v", u, err)
	}
	// Deleting a unit with children or users is refused.
	if err := db.DeleteUnit(ctx, cli, town); models.KindOf(err) != models.KindConflict {
		t.Fatalf("delete with children: %v", err)
	}
	mustUser(t, db, "sanxin", []models.Role{models.RoleUnit}, &village)
	if err := db.DeleteUnit(ctx, cli, village); models.KindOf(err) != models.KindConflict {
		t.Fatalf("delete with users: %v", err)
	}
	extra := mustUnit(t, db, &town, models.UnitVillage, "临时社区")
	if err := db.DeleteUnit(ctx, cli, extra); err != nil {
		t.Fatalf("delete leaf: %v", err)
	}
	if _, err := db.UnitByID(ctx, extra); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("deleted unit: %v", err)
	}
	units, _ := db.ListUnits(ctx)
	tree := models.NewUnitTree(units)
	if got := strings.Join(tree.Path(village), "/"); got != "惠州市/惠城区/江北街道/三新社区" {
		t.Fatalf("path %q", got)
	}
	// A unit user needs an existing unit.
	missing := int64(99999)
	_, err = db.CreateUser(ctx, cli, models.NewUser{Username: "ghost", Password: "long enough", Roles: []models.Role{models.RoleUnit}, UnitID: &missing})
	if fieldsOf(err)["unit_id"] == "" {
		t.Fatalf("unknown unit: %v", err)
	}
}

func testUnitImport(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	_ = city
	bad := []models.UnitImportRow{
		{Line: 2, ParentPath: "惠州市", Input: models.UnitInput{Kind: models.UnitCounty, Name: "惠阳区"}},
		{Line: 3, ParentPath: "惠州市/惠阳区", Input: models.UnitInput{Kind: models.UnitTown, Name: "淡水街道"}},
		{Line: 4, ParentPath: "惠州市/不存在区", Input: models.UnitInput{Kind: models.UnitTown, Name: "某镇"}},
		{Line: 5, ParentPath: "惠州市", Input: models.UnitInput{Kind: "planet", Name: "火星"}},
		{Line: 6, ParentPath: "惠州市/惠阳区/淡水街道", Input: models.UnitInput{Kind: models.UnitVillage, Name: "", ContactPhone: "x"}},
	}
	_, err := db.ImportUnits(ctx, cli, bad)
	f := fieldsOf(err)
	if len(f) != 3 || f["row 4"] == "" || f["row 5"] == "" || f["row 6"] == "" {
		t.Fatalf("bad import: %v fields %v", err, f)
	}
	units, _ := db.ListUnits(ctx)
	if len(units) != 1 {
		t.Fatalf("a failed import left %d units", len(units))
	}
	n, err := db.ImportUnits(ctx, cli, bad[:2])
	if err != nil || n != 2 {
		t.Fatalf("good import: %d %v", n, err)
	}
	if _, err := db.ImportUnits(ctx, cli, bad[:1]); fieldsOf(err)["row 2"] == "" {
		t.Fatalf("re-import of an existing unit: %v", err)
	}
}

func testUserImport(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	mustUnit(t, db, &city, models.UnitDepartment, "市司法局")
	mustUser(t, db, "taken", []models.Role{models.RoleExpert}, nil)
	rows := []models.UserImportRow{
		{Line: 2, UnitPath: "惠州市/市司法局", User: models.NewUser{Username: "wang", DisplayName: "王专家", Roles: []models.Role{models.RoleExpert}, Expertise: []string{"法治", "基层治理"}}},
		{Line: 3, UnitPath: "惠州市/不存在", User: models.NewUser{Username: "li", Roles: []models.Role{models.RoleExpert}}},
		{Line: 4, User: models.NewUser{Username: "TAKEN", Roles: []models.Role{models.RoleExpert}}},
		{Line: 5, User: models.NewUser{Username: "Wang", Roles: []models.Role{models.RoleExpert}}},
	}
	_, err := db.ImportUsers(ctx, cli, rows)
	if f := fieldsOf(err); len(f) != 3 || f["row 3"] == "" || f["row 4"] == "" || !strings.Contains(f["row 5"], "row 2") {
		t.Fatalf("bad import: %v %v", err, f)
	}
	if _, err := db.UserByUsername(ctx, "wang"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("a failed import created a user: %v", err)
	}
	gen, err := db.ImportUsers(ctx, cli, rows[:1])
	if err != nil || len(gen["wang"]) != 12 {
		t.Fatalf("good import: %v %v", gen, err)
	}
	if _, s, err := db.Login(ctx, models.LoginAttempt{Username: "wang", Password: gen["wang"], IP: "10.0.0.1", UserAgent: "test"}); err != nil || s.User.Expertise[1] != "基层治理" {
		t.Fatalf("login with the generated password: %v %+v", err, s.User)
	}
}

func testSessions(t *testing.T, db *DB) {
	ctx := context.Background()
	u := mustUser(t, db, "chen", []models.Role{models.RoleExpert}, nil)
	_, _, err := db.Login(ctx, models.LoginAttempt{Username: "chen", Password: "wrong password", IP: "10.0.0.2", UserAgent: "test"})
	_, _, err2 := db.Login(ctx, models.LoginAttempt{Username: "nobody", Password: "wrong password", IP: "10.0.0.2", UserAgent: "test"})
	if models.KindOf(err) != models.KindUnauthenticated || err == nil || err2 == nil || err.Error() != err2.Error() {
		t.Fatalf("unknown user and wrong password must look alike: %v / %v", err, err2)
	}
	token, s, err := db.Login(ctx, models.LoginAttempt{Username: "CHEN", Password: "password-chen-2026", IP: "10.0.0.2", UserAgent: "test"})
	if err != nil || s.User.ID != u.ID || s.CSRFToken == "" || token == "" {
		t.Fatalf("login: %v", err)
	}
	token2, _, err := db.Login(ctx, models.LoginAttempt{Username: "chen", Password: "password-chen-2026", IP: "10.0.0.3", UserAgent: "test"})
	if err != nil || token2 == token {
		t.Fatalf("a second login must get a new session id: %v", err)
	}
	got, err := db.SessionByToken(ctx, token)
	if err != nil || got.User.ID != u.ID || !got.CheckCSRF(s.CSRFToken) || got.CheckCSRF("forged") {
		t.Fatalf("session: %+v %v", got, err)
	}
	if _, err := db.SessionByToken(ctx, "not-a-token"); models.KindOf(err) != models.KindUnauthenticated {
		t.Fatalf("bad token: %v", err)
	}
	// Changing the password ends every session and opens a new one.
	_, _, err = db.ChangePassword(ctx, cli, u.ID, "wrong", "new-password-1", "test")
	if fieldsOf(err)["current_password"] == "" {
		t.Fatalf("wrong current password: %v", err)
	}
	newToken, _, err := db.ChangePassword(ctx, cli, u.ID, "password-chen-2026", "new-password-1", "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, old := range []string{token, token2} {
		if _, err := db.SessionByToken(ctx, old); models.KindOf(err) != models.KindUnauthenticated {
			t.Fatalf("old session survived a password change: %v", err)
		}
	}
	if _, err := db.SessionByToken(ctx, newToken); err != nil {
		t.Fatalf("new session: %v", err)
	}
	// Disabling ends sessions too, and a disabled user cannot sign in.
	if _, err := db.UpdateUser(ctx, cli, u.ID, models.UserProfile{Roles: u.Roles, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByToken(ctx, newToken); models.KindOf(err) != models.KindUnauthenticated {
		t.Fatalf("session of a disabled user: %v", err)
	}
	if _, _, err := db.Login(ctx, models.LoginAttempt{Username: "chen", Password: "new-password-1", IP: "10.0.0.2", UserAgent: "test"}); models.KindOf(err) != models.KindUnauthenticated {
		t.Fatalf("disabled login: %v", err)
	}
	if err := db.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
}

func testThrottle(t *testing.T, db *DB) {
	ctx := context.Background()
	attempt := func(user, password, ip, device string) error {
		_, _, err := db.Login(ctx, models.LoginAttempt{Username: user, Password: password, IP: ip, UserAgent: "t", Device: device})
		return err
	}
	mustUser(t, db, "judge", []models.Role{models.RoleExpert}, nil)
	for i := 0; i < 5; i++ {
		if err := attempt("judge", "wrong", "10.9.0.1", ""); models.KindOf(err) != models.KindUnauthenticated {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// The guesser's address is slowed on this account ...
	err := attempt("judge", "password-judge-2026", "10.9.0.1", "")
	var me *models.Error
	if !errors.As(err, &me) || me.Kind != models.KindRateLimited || me.RetryAfterSeconds < 1 || me.RetryAfterSeconds > 60 {
		t.Fatalf("after 5 failures from one address that address waits: %v", err)
	}
	// ... but the account is not locked: the right password from another
	// address works at once, and so does a device that signed in before,
	// even behind the guesser's address (one venue Wi-Fi).
	if err := attempt("judge", "password-judge-2026", "10.9.0.2", ""); err != nil {
		t.Fatalf("an attacker's failures locked the account out from another address: %v", err)
	}
	if err := attempt("judge", "password-judge-2026", "10.9.0.1", "device-1"); err != nil {
		t.Fatalf("an attacker's failures locked out a known device: %v", err)
	}
	// Failures with a device cookie slow that device only.
	for i := 0; i < 5; i++ {
		if err := attempt("judge", "wrong", "10.9.0.4", "device-2"); models.KindOf(err) != models.KindUnauthenticated {
			t.Fatalf("device failure %d: %v", i+1, err)
		}
	}
	if err := attempt("judge", "password-judge-2026", "10.9.0.4", "device-2"); models.KindOf(err) != models.KindRateLimited {
		t.Fatalf("a device that keeps failing is slowed: %v", err)
	}
	if err := attempt("judge", "password-judge-2026", "10.9.0.4", "device-1"); err != nil {
		t.Fatalf("another device of the same user is not: %v", err)
	}
	// Another account from the guesser's address is not blocked.
	mustUser(t, db, "other", []models.Role{models.RoleExpert}, nil)
	if err := attempt("other", "password-other-2026", "10.9.0.1", ""); err != nil {
		t.Fatalf("other account: %v", err)
	}
	// An address that sprays many accounts is slowed as an address.
	for i := 0; i < 30; i++ {
		if err := attempt(fmt.Sprintf("spray%d", i), "wrong", "10.9.0.5", ""); models.KindOf(err) != models.KindUnauthenticated {
			t.Fatalf("spray %d: %v", i, err)
		}
	}
	if err := attempt("other", "password-other-2026", "10.9.0.5", ""); models.KindOf(err) != models.KindRateLimited {
		t.Fatalf("a spraying address is slowed for every account: %v", err)
	}
	// Concurrent failures are all counted and never error out.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := attempt("burst", "wrong", "10.9.0.3", "")
			if k := models.KindOf(err); k != models.KindUnauthenticated && k != models.KindRateLimited {
				t.Errorf("concurrent failure: %v", err)
			}
		}()
	}
	wg.Wait()
	if d := models.ThrottleDelay(40, false); d != time.Minute {
		t.Fatalf("account delay is capped at a minute, got %v", d)
	}
}

func testLoginLinks(t *testing.T, db *DB) {
	ctx := context.Background()
	u := mustUser(t, db, "tablet", []models.Role{models.RoleExpert}, nil)
	if _, _, err := db.CreateLoginLink(ctx, cli, u.ID, 0); fieldsOf(err)["ttl_minutes"] == "" {
		t.Fatalf("zero ttl: %v", err)
	}
	token, exp, err := db.CreateLoginLink(ctx, cli, u.ID, time.Hour)
	if err != nil || time.Until(exp) < 59*time.Minute {
		t.Fatalf("create: %v", err)
	}
	// Two redemptions racing: exactly one wins.
	var wg sync.WaitGroup
	results := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); _, _, results[i] = db.RedeemLoginLink(ctx, token, "10.0.0.9", "ipad") }()
	}
	wg.Wait()
	wins := 0
	for _, err := range results {
		if err == nil {
			wins++
		} else if models.KindOf(err) != models.KindUnauthenticated {
			t.Fatalf("redeem: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d redemptions of a single-use link succeeded", wins)
	}
	if _, _, err := db.RedeemLoginLink(ctx, "made-up", "10.0.0.9", "ipad"); models.KindOf(err) != models.KindUnauthenticated {
		t.Fatalf("made-up token: %v", err)
	}
	short, _, _ := db.CreateLoginLink(ctx, cli, u.ID, time.Second)
	time.Sleep(1100 * time.Millisecond)
	if _, _, err := db.RedeemLoginLink(ctx, short, "10.0.0.9", "ipad"); models.KindOf(err) != models.KindUnauthenticated {
		t.Fatalf("expired token: %v", err)
	}
}

func testLastAdmin(t *testing.T, db *DB) {
	ctx := context.Background()
	a := mustUser(t, db, "boss", []models.Role{models.RoleAdmin}, nil)
	_, err := db.UpdateUser(ctx, cli, a.ID, models.UserProfile{Roles: []models.Role{models.RoleAdmin}, Disabled: true})
	if models.KindOf(err) != models.KindConflict {
		t.Fatalf("disabling the last admin: %v", err)
	}
	_, err = db.UpdateUser(ctx, cli, a.ID, models.UserProfile{Roles: []models.Role{models.RoleHost}})
	if models.KindOf(err) != models.KindConflict {
		t.Fatalf("demoting the last admin: %v", err)
	}
	mustUser(t, db, "boss2", []models.Role{models.RoleAdmin, models.RoleHost}, nil)
	if _, err := db.UpdateUser(ctx, cli, a.ID, models.UserProfile{Roles: []models.Role{models.RoleAdmin}, Disabled: true}); err != nil {
		t.Fatalf("disabling one of two admins: %v", err)
	}
}

func testSetup(t *testing.T, db *DB) {
	ctx := context.Background()
	if needed, err := db.SetupNeeded(ctx); err != nil || !needed {
		t.Fatalf("fresh database needs setup: %v %v", needed, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = db.SetupFirstAdmin(ctx, models.NewUser{Username: "first" + string(rune('a'+i)), Password: "long enough"}, "127.0.0.1", "t")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if models.KindOf(err) != models.KindConflict {
			t.Fatalf("setup: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent setups created an admin", ok)
	}
	if needed, _ := db.SetupNeeded(ctx); needed {
		t.Fatal("setup still needed")
	}
}

func testAuditChain(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.CreateUnit(ctx, cli, models.UnitInput{ParentID: &city, Kind: models.UnitDepartment, Name: "部门" + string(rune('A'+i))}); err != nil {
				t.Errorf("concurrent append: %v", err)
			}
		}()
	}
	wg.Wait()
	v, err := db.VerifyAudit(ctx)
	if err != nil || v.FirstBroken != nil || v.Checked != 7 || v.HeadHash == "" {
		t.Fatalf("intact chain: %+v %v", v, err)
	}
	entries, err := db.ListAudit(ctx, models.AuditFilter{Limit: 3})
	if err != nil || len(entries) != 3 || entries[0].ID != 7 || entries[0].Action != "unit.create" || entries[0].ActorName != "test" {
		t.Fatalf("list: %+v %v", entries, err)
	}
	older, _ := db.ListAudit(ctx, models.AuditFilter{BeforeID: entries[2].ID, Limit: 50})
	if len(older) != 4 {
		t.Fatalf("next page: %d entries", len(older))
	}
	// Tamper with entry 4 behind the application's back.
	if err := db.gorm.Exec(`UPDATE audit_log SET after_json = '{"name":"篡改"}' WHERE id = 4`).Error; err != nil {
		t.Fatal(err)
	}
	v, err = db.VerifyAudit(ctx)
	if err != nil || v.FirstBroken == nil || v.FirstBroken.ID != 4 || v.Checked != 3 {
		t.Fatalf("tampered chain: %+v %v", v, err)
	}
}
