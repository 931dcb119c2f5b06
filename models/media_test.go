package models

import (
	"testing"
)

func TestUploadInput(t *testing.T) {
	kind, err := NewUploadInput{Filename: "路演.mov", Size: 100 << 20, ContentType: "video/quicktime"}.Validate()
	if err != nil || kind != MediaVideo {
		t.Fatalf("video: %s %v", kind, err)
	}
	if _, err := (NewUploadInput{Filename: "x.jpg", Size: 31 << 20, ContentType: "image/jpeg"}).Validate(); KindOf(err) != KindTooLarge {
		t.Fatalf("31 MiB photo: %v", err)
	}
	if _, err := (NewUploadInput{Filename: "", Size: 1}).Validate(); KindOf(err) != KindInvalid {
		t.Fatalf("no name: %v", err)
	}
	if got := CleanFilename("..\\..\\evil\u202egpj.exe"); got != "evilgpj.exe" {
		t.Fatalf("CleanFilename = %q", got)
	}
	u := Upload{Size: 2*ChunkSize + 5, ChunkSize: ChunkSize}
	if u.Parts() != 3 {
		t.Fatalf("parts = %d", u.Parts())
	}
	if n, _ := u.PartSize(3); n != 5 {
		t.Fatalf("last part = %d", n)
	}
	if _, err := u.PartSize(4); KindOf(err) != KindInvalid {
		t.Fatalf("part 4: %v", err)
	}
}
