package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules keeps the layering of ARCHITECTURE.md: the domain speaks
// no framework, and nothing imports server.
func TestImportRules(t *testing.T) {
	framework := []string{"github.com/gofiber/", "gorm.io/", "github.com/minio/", "github.com/jackc/", "github.com/gorilla/", "github.com/fasthttp/", "github.com/valyala/"}
	rules := []struct {
		pkg       string
		allowed   []string // leitai packages it may import
		forbidden []string // outside prefixes it may not import
	}{
		{"leitai/models", nil, framework},
		{"leitai/judging", []string{"leitai/models"}, framework},
		{"leitai/live", []string{"leitai/models"}, framework},
		{"leitai/storage", []string{"leitai/models", "leitai/judging", "leitai/storage/"}, []string{"github.com/gofiber/"}},
		{"leitai/server", []string{"leitai/models", "leitai/judging", "leitai/live", "leitai/frontend"}, []string{"gorm.io/", "github.com/minio/", "github.com/jackc/"}},
		{"leitai/frontend", nil, framework},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-json", "./"+strings.TrimPrefix(r.pkg, "leitai/")+"/...").Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			dec := json.NewDecoder(strings.NewReader(string(out)))
			for dec.More() {
				var p struct {
					ImportPath string
					Imports    []string
				}
				if err := dec.Decode(&p); err != nil {
					t.Fatal(err)
				}
				if p.ImportPath != r.pkg && !strings.HasPrefix(p.ImportPath, r.pkg+"/") {
					continue // a dependency, checked by its own rule
				}
				for _, imp := range p.Imports {
					if imp == "leitai/server" || strings.HasPrefix(imp, "leitai/server/") {
						t.Errorf("%s imports %s: nothing imports server", p.ImportPath, imp)
					}
					if strings.HasPrefix(imp, "leitai/") && !strings.HasPrefix(imp, r.pkg+"/") && imp != r.pkg && !allowedImport(imp, r.allowed) {
						t.Errorf("%s imports %s; allowed: %v", p.ImportPath, imp, r.allowed)
					}
					for _, f := range r.forbidden {
						if strings.HasPrefix(imp, f) {
							t.Errorf("%s imports %s", p.ImportPath, imp)
						}
					}
				}
			}
		})
	}
}

func allowedImport(imp string, allowed []string) bool {
	for _, a := range allowed {
		if imp == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a)) {
			return true
		}
	}
	return false
}
