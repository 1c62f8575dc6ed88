// kruise-oracle: OpenKruise's own admission handlers behind a JSON-lines pipe, for the differential
// tests (test/oracle/). One request per stdin line, one answer per stdout line, in order; the
// process stays up for many cases because starting it costs more than a case.
//
// Every case gets a fresh controller-runtime fake client holding what the case brings (SidecarSets,
// Namespaces, ControllerRevisions), with the field index the handlers' List calls use and Kruise's
// default feature gates. The handlers are called through Handle(ctx, admission.Request), exactly as
// controller-runtime's webhook server calls them.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	jsonpatch "github.com/evanphx/json-patch"
	admissionv1 "k8s.io/api/admission/v1"
	apps "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/capabilities"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	kruiseapis "github.com/openkruise/kruise/apis"
	"github.com/openkruise/kruise/apis/apps/defaults"
	appsv1alpha1 "github.com/openkruise/kruise/apis/apps/v1alpha1"
	appsv1beta1 "github.com/openkruise/kruise/apis/apps/v1beta1"
	"github.com/openkruise/kruise/pkg/control/sidecarcontrol"
	"github.com/openkruise/kruise/pkg/util/configuration"
	"github.com/openkruise/kruise/pkg/util/fieldindex"
	podmutating "github.com/openkruise/kruise/pkg/webhook/pod/mutating"
	sidecarsetmutating "github.com/openkruise/kruise/pkg/webhook/sidecarset/mutating"
	sidecarsetvalidating "github.com/openkruise/kruise/pkg/webhook/sidecarset/validating"
)

// Request is one case. Op is "default", "validate", "inject", "revision", or "canonical" (a Pod through
// the typed round trip, for comparing what would be stored).
type Request struct {
	Op        string          `json:"op"`
	Operation string          `json:"operation,omitempty"` // CREATE (default) or UPDATE
	Object    json.RawMessage `json:"object,omitempty"`    // SidecarSet (default, validate, revision) or Pod (inject)
	OldObject json.RawMessage `json:"oldObject,omitempty"`
	Namespace string          `json:"namespace,omitempty"` // the request's namespace (inject)
	// The cluster: SidecarSets as stored (v1alpha1, defaulted here as Kruise's webhook would have),
	// Namespaces, and ControllerRevisions (placed in Kruise's namespace when they name none).
	SidecarSets []json.RawMessage `json:"sidecarSets,omitempty"`
	Namespaces  []json.RawMessage `json:"namespaces,omitempty"`
	Revisions   []json.RawMessage `json:"revisions,omitempty"`
	// The patchPodMetadata whitelist (JSON), stored in Kruise's configuration ConfigMap when set.
	Whitelist string `json:"whitelist,omitempty"`
	// canonical: "Pod" (default) or "SidecarSet".
	Kind string `json:"kind,omitempty"`
	// revision: the number and collision count NewRevision is given.
	Revision       int64  `json:"revision,omitempty"`
	CollisionCount *int32 `json:"collisionCount,omitempty"`
}

// Answer is the handler's response, with the patch applied to the object sent.
type Answer struct {
	Allowed  bool            `json:"allowed"`
	Code     int32           `json:"code,omitempty"`
	Reason   string          `json:"reason,omitempty"`
	Message  string          `json:"message,omitempty"`
	Warnings []string        `json:"warnings,omitempty"`
	Patch    json.RawMessage `json:"patch,omitempty"`
	Object   json.RawMessage `json:"object,omitempty"` // the patched object; or the ControllerRevision (revision)
	Data     string          `json:"data,omitempty"`   // revision: the data bytes as Kruise serialised them
	Error    string          `json:"error,omitempty"`  // the oracle could not run the case
}

var scheme = runtime.NewScheme()

// The schemes as Kruise's main.go sets them up: its types in client-go's scheme too (the revision
// codec encodes with that one), and the unversioned options the Pod handler decodes.
func init() {
	must(clientgoscheme.AddToScheme(scheme))
	must(kruiseapis.AddToSchemes.AddToScheme(scheme))
	must(kruiseapis.AddToSchemes.AddToScheme(clientgoscheme.Scheme))
	scheme.AddUnversionedTypes(metav1.SchemeGroupVersion, &metav1.UpdateOptions{}, &metav1.DeleteOptions{}, &metav1.CreateOptions{})
	// kruise-manager's --allow-privileged defaults to true, and then it initialises this.
	capabilities.Initialize(capabilities.Capabilities{AllowPrivileged: true})
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false) // the handlers log at info level per case; keep stdout and stderr quiet
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "serve":
			serve(os.Args[2:])
			return
		case "bench-validate":
			benchValidate(os.Args[2:])
			return
		}
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		var answer Answer
		var req Request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			answer = Answer{Error: fmt.Sprintf("bad request line: %v", err)}
		} else {
			answer = run(&req)
		}
		line, err := json.Marshal(answer)
		must(err)
		_, _ = out.Write(append(line, '\n'))
		must(out.Flush())
	}
	must(in.Err())
}

func run(req *Request) (answer Answer) {
	defer func() {
		if p := recover(); p != nil {
			answer = Answer{Error: fmt.Sprintf("panic: %v", p)}
		}
	}()
	c, err := cluster(req)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	decoder := admission.NewDecoder(scheme)
	ctx := context.Background()
	switch req.Op {
	case "default":
		h := &sidecarsetmutating.SidecarSetCreateHandler{Decoder: decoder}
		return respond(h.Handle(ctx, sidecarSetRequest(req)), req.Object)
	case "validate":
		// As in a cluster, the mutating webhook has defaulted both objects before validation sees them.
		defaulted := *req
		defaulted.Object = defaultedSidecarSet(ctx, decoder, req.Object)
		if len(req.OldObject) > 0 {
			defaulted.OldObject = defaultedSidecarSet(ctx, decoder, req.OldObject)
		}
		h := &sidecarsetvalidating.SidecarSetCreateUpdateHandler{Client: c, Decoder: decoder}
		return respond(h.Handle(ctx, sidecarSetRequest(&defaulted)), defaulted.Object)
	case "inject":
		h := &podmutating.PodCreateHandler{Client: c, Decoder: decoder}
		return respond(h.Handle(ctx, podRequest(req)), req.Object)
	case "revision":
		return revision(c, req)
	case "canonical":
		return canonical(req)
	}
	return Answer{Error: fmt.Sprintf("unknown op %q", req.Op)}
}

// defaultedSidecarSet is the object after Kruise's mutating handler; the object as sent when that
// handler refuses it or changes nothing.
func defaultedSidecarSet(ctx context.Context, decoder admission.Decoder, raw json.RawMessage) json.RawMessage {
	h := &sidecarsetmutating.SidecarSetCreateHandler{Decoder: decoder}
	answer := respond(h.Handle(ctx, sidecarSetRequest(&Request{Object: raw})), raw)
	if answer.Object == nil {
		return raw
	}
	return answer.Object
}

// cluster builds the fake client of one case, indexed like Kruise's manager cache.
func cluster(req *Request) (client.Client, error) {
	var objects []client.Object
	for _, raw := range req.SidecarSets {
		stored, err := storedSidecarSet(raw)
		if err != nil {
			return nil, fmt.Errorf("sidecarSets: %v", err)
		}
		objects = append(objects, stored)
	}
	for _, raw := range req.Namespaces {
		ns := &corev1.Namespace{}
		if err := json.Unmarshal(raw, ns); err != nil {
			return nil, fmt.Errorf("namespaces: %v", err)
		}
		objects = append(objects, ns)
	}
	for _, raw := range req.Revisions {
		cr := &apps.ControllerRevision{}
		if err := json.Unmarshal(raw, cr); err != nil {
			return nil, fmt.Errorf("revisions: %v", err)
		}
		if cr.Namespace == "" {
			cr.Namespace = "kruise-system"
		}
		objects = append(objects, cr)
	}
	if req.Whitelist != "" {
		objects = append(objects, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: "kruise-system", Name: configuration.KruiseConfigurationName},
			Data:       map[string]string{configuration.SidecarSetPatchPodMetadataWhiteListKey: req.Whitelist},
		})
	}
	return fake.NewClientBuilder().
		WithScheme(scheme).
		WithObjects(objects...).
		WithIndex(&appsv1beta1.SidecarSet{}, fieldindex.IndexNameForSidecarSetNamespace, fieldindex.IndexSidecarSetV1Beta1).
		Build(), nil
}

// storedSidecarSet is a v1alpha1 SidecarSet as Kruise would hold it: defaulted and hashed by its
// mutating webhook, read back as the v1beta1 storage version its handlers list.
func storedSidecarSet(raw json.RawMessage) (*appsv1beta1.SidecarSet, error) {
	alpha := &appsv1alpha1.SidecarSet{}
	if err := json.Unmarshal(raw, alpha); err != nil {
		return nil, err
	}
	defaults.SetDefaultsSidecarSet(alpha)
	if err := defaults.SetHashSidecarSet(alpha); err != nil {
		return nil, err
	}
	beta := &appsv1beta1.SidecarSet{}
	if err := alpha.ConvertTo(beta); err != nil {
		return nil, err
	}
	beta.ResourceVersion = ""
	// What controller-runtime's cache reader sets on the objects it hands out.
	beta.SetGroupVersionKind(appsv1beta1.GroupVersion.WithKind("SidecarSet"))
	return beta, nil
}

func operation(req *Request) admissionv1.Operation {
	if req.Operation == "UPDATE" {
		return admissionv1.Update
	}
	return admissionv1.Create
}

// options is what the apiserver sends with every request, and what the WorkloadSpread part of the Pod
// handler decodes.
func options(req *Request) runtime.RawExtension {
	if req.Operation == "UPDATE" {
		return runtime.RawExtension{Raw: []byte(`{"apiVersion":"meta.k8s.io/v1","kind":"UpdateOptions"}`)}
	}
	return runtime.RawExtension{Raw: []byte(`{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions"}`)}
}

func sidecarSetRequest(req *Request) admission.Request {
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       types.UID("oracle"),
		Kind:      metav1.GroupVersionKind{Group: "apps.kruise.io", Version: "v1alpha1", Kind: "SidecarSet"},
		Resource:  metav1.GroupVersionResource{Group: "apps.kruise.io", Version: "v1alpha1", Resource: "sidecarsets"},
		Operation: operation(req),
		Object:    runtime.RawExtension{Raw: req.Object},
		OldObject: runtime.RawExtension{Raw: req.OldObject},
		Options:   options(req),
	}}
}

func podRequest(req *Request) admission.Request {
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       types.UID("oracle"),
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
		Namespace: req.Namespace,
		Operation: operation(req),
		Object:    runtime.RawExtension{Raw: req.Object},
		OldObject: runtime.RawExtension{Raw: req.OldObject},
		Options:   options(req),
	}}
}

// respond turns a handler's response into an Answer, applying its JSON Patch to what was sent as the
// apiserver would.
func respond(resp admission.Response, sent json.RawMessage) Answer {
	answer := Answer{Allowed: resp.Allowed, Warnings: resp.Warnings}
	if resp.Result != nil {
		answer.Code = resp.Result.Code
		answer.Reason = string(resp.Result.Reason)
		answer.Message = resp.Result.Message
	}
	if len(resp.Patches) == 0 {
		return answer
	}
	patch, err := json.Marshal(resp.Patches)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	answer.Patch = patch
	decoded, err := jsonpatch.DecodePatch(patch)
	if err != nil {
		return Answer{Error: fmt.Sprintf("decode patch: %v", err)}
	}
	patched, err := decoded.Apply(sent)
	if err != nil {
		return Answer{Error: fmt.Sprintf("apply patch: %v", err)}
	}
	answer.Object = patched
	return answer
}

// revision is the ControllerRevision Kruise's SidecarSet controller would register for the
// SidecarSet as stored (defaulted, hashed, v1beta1).
func revision(c client.Client, req *Request) Answer {
	stored, err := storedSidecarSet(req.Object)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	cr, err := sidecarcontrol.NewHistoryControl(c).NewRevision(stored, "kruise-system", req.Revision, req.CollisionCount)
	if err != nil {
		return Answer{Allowed: false, Message: err.Error()}
	}
	cr.APIVersion, cr.Kind = "apps/v1", "ControllerRevision" // as the client sends it
	raw, err := json.Marshal(cr)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	return Answer{Allowed: true, Object: raw, Data: string(cr.Data.Raw)}
}

// canonical is the object through Kruise's Go types, decoded and encoded again: for a Pod what the
// apiserver stores and sends (kind "Pod"), for a SidecarSet what Kruise's own code sees (kind
// "SidecarSet", v1alpha1).
func canonical(req *Request) Answer {
	var typed any = &corev1.Pod{}
	if req.Kind == "SidecarSet" {
		typed = &appsv1alpha1.SidecarSet{}
	}
	if err := json.Unmarshal(req.Object, typed); err != nil {
		return Answer{Error: err.Error()}
	}
	raw, err := json.Marshal(typed)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	return Answer{Allowed: true, Object: raw}
}
