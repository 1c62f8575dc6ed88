// Benchmark modes of the oracle (test/bench/kruise-*.ts), so that Kruise is measured with its own
// code on the same machine and inputs as ours:
//
//	kruise-oracle serve --port N --cert-dir DIR --cluster FILE
//	    Kruise's Pod handler (/mutate-pod) served by controller-runtime's webhook server over TLS,
//	    with the SidecarSets and Namespaces of FILE (a Request's cluster fields) in a fake client.
//	kruise-oracle bench-validate --cluster FILE --object FILE --iterations N
//	    Kruise's SidecarSet validation handler called N times in process; prints µs per call.
//
// Both read SidecarSets through cacheClient, as kruise-manager reads them from its informer cache.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	appsv1beta1 "github.com/openkruise/kruise/apis/apps/v1beta1"
	utilclient "github.com/openkruise/kruise/pkg/util/client"
	"github.com/openkruise/kruise/pkg/util/fieldindex"

	podmutating "github.com/openkruise/kruise/pkg/webhook/pod/mutating"
	sidecarsetvalidating "github.com/openkruise/kruise/pkg/webhook/sidecarset/validating"
)

// cacheClient answers SidecarSet lists the way kruise-manager's informer cache does (the namespace
// index, a deep copy unless the caller passes Kruise's DisableDeepCopy), instead of the fake client's encode-and-decode of
// every object, which would make Kruise look slower than it is.
// The bench cluster holds only SidecarSets and Namespaces: every other list (WorkloadSpreads,
// PodUnavailableBudgets, ...) is empty, as it is in a cache that holds none.
type cacheClient struct {
	client.Client
	sidecarSets []appsv1beta1.SidecarSet
	namespaces  map[string]*corev1.Namespace
}

func newCacheClient(req *Request) *cacheClient {
	c, err := cluster(req)
	must(err)
	list := &appsv1beta1.SidecarSetList{}
	must(c.List(context.Background(), list))
	namespaces := &corev1.NamespaceList{}
	must(c.List(context.Background(), namespaces))
	byName := map[string]*corev1.Namespace{}
	for i := range namespaces.Items {
		byName[namespaces.Items[i].Name] = &namespaces.Items[i]
	}
	return &cacheClient{Client: c, sidecarSets: list.Items, namespaces: byName}
}

func (c *cacheClient) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if ns, ok := obj.(*corev1.Namespace); ok {
		found, exists := c.namespaces[key.Name]
		if !exists {
			return apierrors.NewNotFound(corev1.Resource("namespaces"), key.Name)
		}
		found.DeepCopyInto(ns)
		return nil
	}
	return c.Client.Get(ctx, key, obj, opts...)
}

func (c *cacheClient) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	out, ok := list.(*appsv1beta1.SidecarSetList)
	if !ok {
		return meta.SetList(list, nil)
	}
	options := (&client.ListOptions{}).ApplyOptions(opts)
	namespace, indexed := "", false
	if options.FieldSelector != nil {
		namespace, indexed = options.FieldSelector.RequiresExactMatch(fieldindex.IndexNameForSidecarSetNamespace)
	}
	// Kruise's cache skips the copy for its own DisableDeepCopy option, which sets nothing in ListOptions.
	deepCopy := !slices.Contains(opts, client.ListOption(utilclient.DisableDeepCopy))
	out.Items = nil
	for i := range c.sidecarSets {
		s := &c.sidecarSets[i]
		if indexed && !slices.Contains(fieldindex.IndexSidecarSetV1Beta1(s), namespace) {
			continue
		}
		if deepCopy {
			s = s.DeepCopy()
		}
		out.Items = append(out.Items, *s)
	}
	return nil
}

func readRequest(path string) *Request {
	raw, err := os.ReadFile(path)
	must(err)
	req := &Request{}
	must(json.Unmarshal(raw, req))
	return req
}

func serve(args []string) {
	flags := flag.NewFlagSet("serve", flag.ExitOnError)
	port := flags.Int("port", 0, "port on 127.0.0.1")
	certDir := flags.String("cert-dir", "", "directory with tls.crt and tls.key")
	clusterFile := flags.String("cluster", "", "JSON with sidecarSets and namespaces")
	must(flags.Parse(args))
	c := newCacheClient(readRequest(*clusterFile))
	server := webhook.NewServer(webhook.Options{Host: "127.0.0.1", Port: *port, CertDir: *certDir})
	decoder := admission.NewDecoder(scheme)
	server.Register("/mutate-pod", &webhook.Admission{Handler: &podmutating.PodCreateHandler{Client: c, Decoder: decoder}})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	fmt.Println("serving")
	must(server.Start(ctx))
}

func benchValidate(args []string) {
	flags := flag.NewFlagSet("bench-validate", flag.ExitOnError)
	clusterFile := flags.String("cluster", "", "JSON with the existing sidecarSets")
	objectFile := flags.String("object", "", "the SidecarSet to validate")
	iterations := flags.Int("iterations", 200, "calls to time")
	must(flags.Parse(args))
	c := newCacheClient(readRequest(*clusterFile))
	object, err := os.ReadFile(*objectFile)
	must(err)
	decoder := admission.NewDecoder(scheme)
	h := &sidecarsetvalidating.SidecarSetCreateUpdateHandler{Client: c, Decoder: decoder}
	req := sidecarSetRequest(&Request{Object: defaultedSidecarSet(context.Background(), decoder, object)})
	warm := h.Handle(context.Background(), req)
	start := time.Now()
	for i := 0; i < *iterations; i++ {
		h.Handle(context.Background(), req)
	}
	elapsed := time.Since(start)
	fmt.Printf("{\"allowed\":%t,\"microsPerCall\":%.1f}\n", warm.Allowed, float64(elapsed.Microseconds())/float64(*iterations))
}
