// Command gatekeeper-constraint-crd prints the Constraint CRD Gatekeeper generates for a
// ConstraintTemplate, made by Gatekeeper's own code: the steps of its constrainttemplate
// controller (pkg/controller/constrainttemplate), minus the API server.
//
//	gatekeeper-constraint-crd template.yaml > constraint-crd.yaml
//
// The template may be templates.gatekeeper.sh/v1beta1 or v1; like the controller, which reads
// it as v1beta1 (the ConstraintTemplate CRD converts with strategy None), it is taken as v1beta1.
package main

import (
	"context"
	"fmt"
	"os"

	constraintclient "github.com/open-policy-agent/frameworks/constraint/pkg/client"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client/drivers/rego"
	"github.com/open-policy-agent/frameworks/constraint/pkg/core/templates"
	"github.com/open-policy-agent/gatekeeper/v3/apis"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/target"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/util"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1beta1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gatekeeper-constraint-crd <constrainttemplate.yaml>")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gatekeeper-constraint-crd:", err)
		os.Exit(1)
	}
}

func run(file string) error {
	// The scheme of Gatekeeper's manager (main.go init): client-go's and Gatekeeper's apis.
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := apis.AddToScheme(scheme); err != nil {
		return err
	}

	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(raw, &u.Object); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	gvk := u.GroupVersionKind()
	if gvk.Kind != "ConstraintTemplate" || gvk.Group != v1beta1.SchemeGroupVersion.Group {
		return fmt.Errorf("%s: not a ConstraintTemplate but %s", file, gvk)
	}
	// Created in its own version: the API server applies that version's schema defaults
	// (e.g. legacySchema: false in v1, true in v1beta1), which the typed defaulters mirror.
	if u.Object, err = withDefaults(scheme, u.Object); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	// Read back as v1beta1, what the controller's r.Get(ctx, ..., &v1beta1.ConstraintTemplate{})
	// receives: the CRD's conversion strategy is None, only apiVersion changes.
	u.SetAPIVersion(v1beta1.SchemeGroupVersion.String())
	ct := &v1beta1.ConstraintTemplate{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, ct); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	scheme.Default(ct)

	// The constraint framework client as main.go builds it (Gatekeeper's target, the Rego driver).
	driver, err := rego.New(rego.Externs())
	if err != nil {
		return err
	}
	cfClient, err := constraintclient.NewClient(
		constraintclient.Targets(&target.K8sValidationTarget{}),
		constraintclient.Driver(driver),
		constraintclient.EnforcementPoints(util.AuditEnforcementPoint, util.WebhookEnforcementPoint))
	if err != nil {
		return err
	}

	// constrainttemplate_controller.go Reconcile: convert, CreateCRD, convert.
	unversionedCT := &templates.ConstraintTemplate{}
	if err := scheme.Convert(ct, unversionedCT, nil); err != nil {
		return fmt.Errorf("conversion error: %w", err)
	}
	unversionedProposedCRD, err := cfClient.CreateCRD(context.Background(), unversionedCT)
	if err != nil {
		return fmt.Errorf("CRD creation error: %w", err)
	}
	proposedCRD := &apiextensionsv1.CustomResourceDefinition{}
	if err := scheme.Convert(unversionedProposedCRD, proposedCRD, nil); err != nil {
		return fmt.Errorf("CRD conversion error: %w", err)
	}
	// generateCRD then sets the template as controller owner (needs the template's UID: left
	// out) and creates the CRD; its empty status is the API server's to fill.
	proposedCRD.APIVersion = apiextensionsv1.SchemeGroupVersion.String()
	proposedCRD.Kind = "CustomResourceDefinition"
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(proposedCRD)
	if err != nil {
		return err
	}
	delete(obj, "status")
	unstructured.RemoveNestedField(obj, "metadata", "creationTimestamp")

	out, err := yaml.Marshal(obj)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

// withDefaults applies the scheme's defaulters of the object's own version.
func withDefaults(scheme *runtime.Scheme, obj map[string]interface{}) (map[string]interface{}, error) {
	u := &unstructured.Unstructured{Object: obj}
	typed, err := scheme.New(u.GroupVersionKind())
	if err != nil {
		return nil, err
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, typed); err != nil {
		return nil, err
	}
	scheme.Default(typed)
	return runtime.DefaultUnstructuredConverter.ToUnstructured(typed)
}
