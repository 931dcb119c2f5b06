package frontend

import (
	"errors"
	"io/fs"
	"testing"
)

// TestDist checks that Dist and Built agree, whether or not the frontend was built before `go test`
// (and under the no_ui tag, where both report nothing).
func TestDist(t *testing.T) {
	fsys := Dist()
	if fsys == nil {
		t.Fatal("Dist() = nil")
	}
	if _, err := fs.ReadDir(fsys, "."); err != nil {
		t.Fatalf("ReadDir(Dist(), \".\"): %v", err)
	}
	index, err := fs.ReadFile(fsys, "index.html")
	switch {
	case Built() && err != nil:
		t.Fatalf("Built() is true but index.html cannot be read: %v", err)
	case Built() && len(index) == 0:
		t.Fatal("Built() is true but index.html is empty")
	case !Built() && !errors.Is(err, fs.ErrNotExist):
		t.Fatalf("Built() is false but reading index.html gave %v, want fs.ErrNotExist", err)
	}
	if _, err := fs.Stat(fsys, "dist"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Dist() must be rooted inside dist/, but it has a dist entry (err %v)", err)
	}
}
