package server

import "testing"

// TestBlindName: a blind round's file names keep only a plain extension.
func TestBlindName(t *testing.T) {
	for _, tc := range []struct {
		n          int
		name, want string
	}{
		{1, "惠城区江北街道现场照片.JPG", "附件1.jpg"},
		{2, "方案.pdf", "附件2.pdf"},
		{3, "没有扩展名", "附件3"},
		{4, "奇怪.扩展名", "附件4"},
		{5, "a.verylongextension", "附件5"},
		{6, "x.tar.gz", "附件6.gz"},
	} {
		if got := blindName(tc.n, tc.name); got != tc.want {
			t.Errorf("blindName(%d, %q) = %q, want %q", tc.n, tc.name, got, tc.want)
		}
	}
}
