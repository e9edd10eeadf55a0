// Compares how TrustSync decodes trust policies that repeat keys with how notation-go decodes
// them (Go's encoding/json merges repeated objects and arrays into the value already decoded).
// Run by scripts/notation-check.sh --decoded. Test tooling only.
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

type decodingResult struct {
	Name          string `json:"name"`
	DecodeError   string `json:"decodeError,omitempty"`
	ValidateError string `json:"validateError,omitempty"`
	Compared      bool   `json:"compared"`
	Equal         bool   `json:"equal"`
	Go            any    `json:"go,omitempty"`
	TrustSync     any    `json:"trustsync,omitempty"`
}

// normalise makes absent and empty lists and maps equal: TrustSync's model does not tell them
// apart, and notation-go treats them alike.
func normalise(doc *trustpolicy.Document) {
	if doc.TrustPolicies == nil {
		doc.TrustPolicies = []trustpolicy.TrustPolicy{}
	}
	for i := range doc.TrustPolicies {
		p := &doc.TrustPolicies[i]
		for _, list := range []*[]string{&p.RegistryScopes, &p.TrustStores, &p.TrustedIdentities} {
			if *list == nil {
				*list = []string{}
			}
		}
		if p.SignatureVerification.Override == nil {
			p.SignatureVerification.Override = map[trustpolicy.ValidationType]trustpolicy.ValidationAction{}
		}
	}
}

// TestDecodedDocuments reads NAME.repo.json (the repository's file) and, when TrustSync could
// decode it, NAME.decoded.json (TrustSync's decoded statements) from TRUSTSYNC_DECODED.
func TestDecodedDocuments(t *testing.T) {
	dir, out := os.Getenv("TRUSTSYNC_DECODED"), os.Getenv("TRUSTSYNC_REPORT")
	if dir == "" || out == "" {
		t.Skip("TRUSTSYNC_DECODED and TRUSTSYNC_REPORT not set")
	}
	repos, err := filepath.Glob(filepath.Join(dir, "*.repo.json"))
	if err != nil || len(repos) == 0 {
		t.Fatalf("no documents in %s: %v", dir, err)
	}
	sort.Strings(repos)
	var results []decodingResult
	for _, repoFile := range repos {
		name := strings.TrimSuffix(filepath.Base(repoFile), ".repo.json")
		r := decodingResult{Name: name}
		raw, err := os.ReadFile(repoFile)
		if err != nil {
			t.Fatal(err)
		}
		var doc trustpolicy.Document
		if err := json.Unmarshal(raw, &doc); err != nil {
			r.DecodeError = err.Error()
		} else if err := doc.Validate(); err != nil {
			r.ValidateError = err.Error()
		}
		if decoded, err := os.ReadFile(filepath.Join(dir, name+".decoded.json")); err == nil && r.DecodeError == "" {
			var theirs trustpolicy.Document
			if err := json.Unmarshal(decoded, &theirs); err != nil {
				t.Fatalf("%s: TrustSync's decoded document does not decode: %v", name, err)
			}
			normalise(&doc)
			normalise(&theirs)
			r.Compared = true
			r.Equal = reflect.DeepEqual(doc, theirs)
			if !r.Equal {
				r.Go, r.TrustSync = doc, theirs
			}
		}
		results = append(results, r)
	}
	encoded, _ := json.MarshalIndent(results, "", "  ")
	if err := os.WriteFile(out, encoded, 0o644); err != nil {
		t.Fatal(err)
	}
}
