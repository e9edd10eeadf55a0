// Checks trust policy documents rendered by TrustSync with notation-go itself: each rendered
// document must load (trustpolicy.Document.Validate) and equal, field by field, what notation-go
// decodes from the repository's trustpolicy.json. Run by scripts/notation-check.sh. Test tooling only.
package check

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/notaryproject/notation-go/verifier/trustpolicy"
)

type result struct {
	Name          string `json:"name"`
	RepoError     string `json:"repoError,omitempty"`
	RenderedError string `json:"renderedError,omitempty"`
	Equal         bool   `json:"equal"`
	Repo          any    `json:"repo,omitempty"`
	Rendered      any    `json:"rendered,omitempty"`
}

func load(path string) (*trustpolicy.Document, string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err.Error()
	}
	var doc trustpolicy.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, "decode: " + err.Error()
	}
	if err := doc.Validate(); err != nil {
		return &doc, "validate: " + err.Error()
	}
	return &doc, ""
}

// TestRenderedDocuments reads NAME.repo.json / NAME.rendered.json pairs from TRUSTSYNC_DOCUMENTS
// and writes one result per pair to TRUSTSYNC_REPORT.
func TestRenderedDocuments(t *testing.T) {
	dir, out := os.Getenv("TRUSTSYNC_DOCUMENTS"), os.Getenv("TRUSTSYNC_REPORT")
	if dir == "" || out == "" {
		t.Skip("TRUSTSYNC_DOCUMENTS and TRUSTSYNC_REPORT not set")
	}
	repos, err := filepath.Glob(filepath.Join(dir, "*.repo.json"))
	if err != nil || len(repos) == 0 {
		t.Fatalf("no documents in %s: %v", dir, err)
	}
	sort.Strings(repos)
	var results []result
	for _, repoFile := range repos {
		name := strings.TrimSuffix(filepath.Base(repoFile), ".repo.json")
		repo, repoErr := load(repoFile)
		rendered, renderedErr := load(filepath.Join(dir, name+".rendered.json"))
		r := result{Name: name, RepoError: repoErr, RenderedError: renderedErr}
		r.Equal = repo != nil && rendered != nil && reflect.DeepEqual(repo, rendered)
		if !r.Equal {
			r.Repo, r.Rendered = repo, rendered
		}
		results = append(results, r)
	}
	encoded, _ := json.MarshalIndent(results, "", "  ")
	if err := os.WriteFile(out, encoded, 0o644); err != nil {
		t.Fatal(err)
	}
}
