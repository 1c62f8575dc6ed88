// Benchmark modes of the oracle (test/bench/kruise-*.ts), so that Kruise is measured with its own
// code on the same machine and inputs as ours:
//
//	kruise-oracle serve --port N --cert-dir DIR --cluster FILE
//	    Kruise's Pod handler (/mutate-pod) served by controller-runtime's webhook server over TLS,
//	    with the SidecarSets and Namespaces of FILE (a Request's cluster fields) in a fake client.
//	kruise-oracle bench-validate --cluster FILE --object FILE --iterations N
//	    Kruise's SidecarSet validation handler called N times in process; prints µs per call.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	podmutating "github.com/openkruise/kruise/pkg/webhook/pod/mutating"
	sidecarsetvalidating "github.com/openkruise/kruise/pkg/webhook/sidecarset/validating"
)

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
	c, err := cluster(readRequest(*clusterFile))
	must(err)
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
	c, err := cluster(readRequest(*clusterFile))
	must(err)
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
