package check

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/notaryproject/notation-go/dir"
	"github.com/notaryproject/notation-go/verifier"
	"github.com/notaryproject/notation-go/verifier/trustpolicy"
	"github.com/notaryproject/notation-go/verifier/truststore"
)

type storeResult struct {
	Name     string              `json:"name"`
	Error    string              `json:"error,omitempty"`
	Stores   map[string][]string `json:"stores"`
	Verifier string              `json:"verifierError,omitempty"`
}

func fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

func readDocument(path string) (*trustpolicy.Document, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc trustpolicy.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// TestNotationDirectories loads each folder of TRUSTSYNC_CONFIG_DIRS as a Notation configuration
// directory with notation-go's own trust store, and reports every store the policy names.
func TestNotationDirectories(t *testing.T) {
	eachFolder(t, "TRUSTSYNC_CONFIG_DIRS", func(configDir string, r *storeResult) {
		doc, err := readDocument(filepath.Join(configDir, "trustpolicy.json"))
		if err != nil {
			r.Error = err.Error()
			return
		}
		store := truststore.NewX509TrustStore(dir.NewSysFS(configDir))
		for _, statement := range doc.TrustPolicies {
			for _, reference := range statement.TrustStores {
				typ, name, _ := strings.Cut(reference, ":")
				certs, err := store.GetCertificates(context.Background(), truststore.Type(typ), name)
				if err != nil {
					r.Error = reference + ": " + err.Error()
					continue
				}
				var fps []string
				for _, c := range certs {
					fps = append(fps, fingerprint(c))
				}
				sort.Strings(fps)
				r.Stores[reference] = fps
			}
		}
		if _, err := verifier.New(doc, store, nil); err != nil {
			r.Verifier = err.Error()
		}
	})
}

// eachFolder runs check on every folder under the directory named by the environment variable
// and writes the results to TRUSTSYNC_REPORT; the test is skipped when either is unset.
func eachFolder(t *testing.T, variable string, check func(folder string, r *storeResult)) {
	root, out := os.Getenv(variable), os.Getenv("TRUSTSYNC_REPORT")
	if root == "" || out == "" {
		t.Skip(variable + " and TRUSTSYNC_REPORT not set")
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var results []storeResult
	for _, entry := range entries {
		r := storeResult{Name: entry.Name(), Stores: map[string][]string{}}
		check(filepath.Join(root, entry.Name()), &r)
		results = append(results, r)
	}
	encoded, _ := json.MarshalIndent(results, "", "  ")
	if err := os.WriteFile(out, encoded, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fluxStore is what Flux source-controller's notation trust store does with a Secret's data, as
// its documentation and code describe it: every key ending in .pem or .crt is one certificate
// (the first PEM block, else DER), and every store a statement names gets all of them.
type fluxStore struct{ certs []*x509.Certificate }

func (s fluxStore) GetCertificates(_ context.Context, _ truststore.Type, _ string) ([]*x509.Certificate, error) {
	return s.certs, nil
}

// TestFluxSecrets reads each folder of TRUSTSYNC_FLUX_SECRETS (one file per Secret key) the way
// source-controller reads a verification Secret, and builds notation-go's verifier from it.
func TestFluxSecrets(t *testing.T) {
	eachFolder(t, "TRUSTSYNC_FLUX_SECRETS", func(secretDir string, r *storeResult) {
		doc, err := readDocument(filepath.Join(secretDir, "trustpolicy.json"))
		if err != nil {
			r.Error = err.Error()
			return
		}
		keys, _ := os.ReadDir(secretDir)
		var store fluxStore
		var fps []string
		for _, key := range keys {
			if !strings.HasSuffix(key.Name(), ".pem") && !strings.HasSuffix(key.Name(), ".crt") {
				continue
			}
			raw, _ := os.ReadFile(filepath.Join(secretDir, key.Name()))
			if block, _ := pem.Decode(raw); block != nil {
				raw = block.Bytes
			}
			certs, err := x509.ParseCertificates(raw)
			if err != nil {
				r.Error = key.Name() + ": " + err.Error()
				continue
			}
			store.certs = append(store.certs, certs...)
			for _, c := range certs {
				fps = append(fps, fingerprint(c))
			}
		}
		sort.Strings(fps)
		r.Stores["*"] = fps
		if _, err := verifier.New(doc, store, nil); err != nil {
			r.Verifier = err.Error()
		}
	})
}
