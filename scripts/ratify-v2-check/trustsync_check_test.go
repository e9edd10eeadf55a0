// Loads Executors rendered by TrustSync with Ratify v2's own code, the way Ratify's executor
// manager does, and reports what each notation verifier would trust. Copied by
// scripts/ratify-v2-check.sh into a copy of Ratify's module (internal/verifier/notation), since
// Ratify's configuration code is internal to its module.
package notation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/notaryproject/notation-go/verifier/truststore"
	"github.com/notaryproject/ratify/v2/internal/executor"

	_ "github.com/notaryproject/ratify/v2/internal/policyenforcer/threshold"
	_ "github.com/notaryproject/ratify/v2/internal/store/credentialprovider/aws"
	_ "github.com/notaryproject/ratify/v2/internal/store/credentialprovider/azure"
	_ "github.com/notaryproject/ratify/v2/internal/store/credentialprovider/static"
	_ "github.com/notaryproject/ratify/v2/internal/store/registrystore"
	_ "github.com/notaryproject/ratify/v2/internal/verifier/keyprovider/inlineprovider"
)

type renderedObject struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec json.RawMessage `json:"spec"`
}

type verifierReport struct {
	Name              string              `json:"name"`
	Error             string              `json:"error,omitempty"`
	RegistryScopes    []string            `json:"registryScopes"`
	TrustedIdentities []string            `json:"trustedIdentities"`
	TrustStores       []string            `json:"trustStores"`
	Level             string              `json:"level"`
	Certificates      map[string][]string `json:"certificates"`
}

type executorReport struct {
	Name      string           `json:"name"`
	Namespace string           `json:"namespace"`
	Verifiers []verifierReport `json:"verifiers"`
}

type report struct {
	// group folder -> the error NewScopedExecutor gave for all its Executors together, or ""
	Loaded    map[string]string `json:"loaded"`
	Executors []executorReport  `json:"executors"`
}

func TestTrustSyncExecutors(t *testing.T) {
	dir, out := os.Getenv("TRUSTSYNC_EXECUTORS"), os.Getenv("TRUSTSYNC_REPORT")
	if dir == "" || out == "" {
		t.Skip("TRUSTSYNC_EXECUTORS and TRUSTSYNC_REPORT not set")
	}
	// one sub-folder per group of Executors Ratify loads together (a namespace, or the cluster scope)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no executors in %s/*/: %v", dir, err)
	}
	sort.Strings(files)
	byNamespace := map[string][]executor.ScopedOptions{}
	result := report{Loaded: map[string]string{}}
	for _, file := range files {
		group := filepath.Base(filepath.Dir(file))
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var object renderedObject
		if err := json.Unmarshal(raw, &object); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// ExecutorSpec and ScopedOptions share their JSON names; the executor manager copies field by field
		var opts executor.ScopedOptions
		if err := json.Unmarshal(object.Spec, &opts); err != nil {
			t.Fatalf("%s: spec: %v", file, err)
		}
		byNamespace[group] = append(byNamespace[group], opts)
		entry := executorReport{Name: object.Metadata.Name, Namespace: group}
		for _, v := range opts.Verifiers {
			entry.Verifiers = append(entry.Verifiers, describe(v.Name, v.Parameters))
		}
		result.Executors = append(result.Executors, entry)
	}
	for namespace, all := range byNamespace {
		if _, err := executor.NewScopedExecutor(executor.Options{Executors: all}); err != nil {
			result.Loaded[namespace] = err.Error()
		} else {
			result.Loaded[namespace] = ""
		}
	}
	encoded, _ := json.MarshalIndent(result, "", "  ")
	if err := os.WriteFile(out, encoded, 0o644); err != nil {
		t.Fatal(err)
	}
}

// describe builds the verifier's trust store and trust policy with the notation verifier's own
// functions (the ones its factory calls) and lists what they trust.
func describe(name string, parameters any) verifierReport {
	r := verifierReport{Name: name, Certificates: map[string][]string{}}
	raw, err := json.Marshal(parameters)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	var params options
	if err := json.Unmarshal(raw, &params); err != nil {
		r.Error = err.Error()
		return r
	}
	store, types, err := initTrustStore(params.Certificates)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	doc := initTrustPolicyDocument(params.Scopes, params.TrustedIdentities, types)
	if err := doc.Validate(); err != nil {
		r.Error = "trust policy: " + err.Error()
	}
	statement := doc.TrustPolicies[0]
	r.RegistryScopes, r.TrustedIdentities, r.Level = statement.RegistryScopes, statement.TrustedIdentities, statement.SignatureVerification.VerificationLevel
	r.TrustStores = append([]string{}, statement.TrustStores...)
	sort.Strings(r.TrustStores)
	for _, storeType := range []truststore.Type{truststore.TypeCA, truststore.TypeTSA, truststore.TypeSigningAuthority} {
		certs, err := store.GetCertificates(context.Background(), storeType, trustStoreName)
		if err != nil {
			r.Error = err.Error()
		}
		for _, cert := range certs {
			sum := sha256.Sum256(cert.Raw)
			r.Certificates[string(storeType)] = append(r.Certificates[string(storeType)], hex.EncodeToString(sum[:]))
		}
	}
	return r
}
