package mail

import (
	"context"
	"strings"
	"testing"

	"leitai/storage/mail/mailtest"
)

func TestSendOverSMTP(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := Parse("smtp://"+srv.Addr, "leitai@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), Message{To: []string{"village@example.org"}, Subject: "【擂台】进展报告将于 7 天后到期", Body: "您好：\n中期检查报告请于 2027-06-30 前提交。\nEnglish follows."}); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].To[0] != "village@example.org" || got[0].Subject != "【擂台】进展报告将于 7 天后到期" || !strings.Contains(got[0].Body, "2027-06-30 前提交") {
		t.Fatalf("received %+v", got)
	}
	if s, err := Parse("", ""); s != nil || err != nil {
		t.Fatalf("no URL is no e-mail: %v %v", s, err)
	}
	if _, err := Parse("http://x", ""); err == nil {
		t.Fatal("a non-SMTP URL is refused")
	}
}
