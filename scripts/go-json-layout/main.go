// Command go-json-layout tells the TypeScript side how Go's encoding/json serialises corev1.Container,
// so that src/hash.ts can reproduce OpenKruise's SidecarSet hash byte for byte.
//
//	go run . layout     JSON description of every struct reachable from corev1.Container (stdout)
//	go run . hash       stdin: JSON array of SidecarSet specs; stdout: the JSON kruise hashes and both hashes
//	go run . quantity   stdin: JSON array of raw quantity values; stdout: how resource.Quantity re-marshals them
//
// The layout is computed the way encoding/json computes it (declaration order, embedded structs
// inlined, shallower names dominate) and then checked against encoding/json itself by marshalling a
// fully populated and a zero value of every struct, so a Kubernetes bump cannot silently drift.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	kjson "sigs.k8s.io/json"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go-json-layout: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	mode := "layout"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "layout":
		printLayout()
	case "hash":
		printHashes()
	case "quantity":
		printQuantities()
	default:
		fail("unknown mode %q (want layout, hash or quantity)", mode)
	}
}

// ---- layout ----

// typeRef describes how one Go type is encoded. Kind is one of string, bool, int, uint, float, ptr,
// slice, map, struct, quantity (resource.Quantity) and intorstring (intstr.IntOrString).
type typeRef struct {
	Kind string   `json:"kind"`
	Bits int      `json:"bits,omitempty"`
	Type string   `json:"type,omitempty"`
	Key  *typeRef `json:"key,omitempty"`
	Elem *typeRef `json:"elem,omitempty"`
}

type field struct {
	Name      string `json:"name"`
	OmitEmpty bool   `json:"omitempty"`
	typeRef
}

type layoutDoc struct {
	Comment string             `json:"$comment"`
	Source  string             `json:"source"`
	Root    string             `json:"root"`
	Types   map[string][]field `json:"types"`
}

var (
	quantityType    = reflect.TypeFor[resource.Quantity]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)

type walker struct {
	types   map[string][]field
	byName  map[string]reflect.Type
	structs []reflect.Type
}

func customMarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonMarshaler) || p.Implements(jsonMarshaler) || t.Implements(textMarshaler) || p.Implements(textMarshaler)
}

func (w *walker) ref(t reflect.Type) typeRef {
	switch t {
	case quantityType:
		return typeRef{Kind: "quantity"}
	case intOrStringType:
		return typeRef{Kind: "intorstring"}
	}
	if customMarshaler(t) {
		fail("%s has its own JSON/text marshaller: teach src/hash.ts about it", t)
	}
	switch t.Kind() {
	case reflect.String:
		return typeRef{Kind: "string"}
	case reflect.Bool:
		return typeRef{Kind: "bool"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return typeRef{Kind: "int", Bits: t.Bits()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return typeRef{Kind: "uint", Bits: t.Bits()}
	case reflect.Float32, reflect.Float64:
		return typeRef{Kind: "float", Bits: t.Bits()}
	case reflect.Pointer:
		elem := w.ref(t.Elem())
		return typeRef{Kind: "ptr", Elem: &elem}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			fail("%s is a byte slice (base64 in JSON): teach src/hash.ts about it", t)
		}
		elem := w.ref(t.Elem())
		return typeRef{Kind: "slice", Elem: &elem}
	case reflect.Map:
		if t.Key().Kind() != reflect.String || customMarshaler(t.Key()) {
			fail("map %s has a non-string key", t)
		}
		key := w.ref(t.Key())
		elem := w.ref(t.Elem())
		return typeRef{Kind: "map", Key: &key, Elem: &elem}
	case reflect.Struct:
		return typeRef{Kind: "struct", Type: w.describe(t)}
	}
	fail("%s: kind %s is not supported", t, t.Kind())
	return typeRef{}
}

func typeName(t reflect.Type) string {
	if t.Name() == "" {
		fail("anonymous struct %s is not supported", t)
	}
	return path.Base(t.PkgPath()) + "." + t.Name()
}

func (w *walker) describe(t reflect.Type) string {
	name := typeName(t)
	if prev, ok := w.byName[name]; ok {
		if prev != t {
			fail("two types are both called %s (%s and %s)", name, prev.PkgPath(), t.PkgPath())
		}
		return name
	}
	w.byName[name] = t
	w.structs = append(w.structs, t)
	w.types[name] = nil // placeholder, so recursive types terminate
	var fields []field
	for _, c := range jsonFields(t) {
		fields = append(fields, field{Name: c.name, OmitEmpty: c.omitEmpty, typeRef: w.ref(c.typ)})
	}
	if fields == nil {
		fields = []field{}
	}
	w.types[name] = fields
	return name
}

type candidate struct {
	name      string
	tagged    bool
	omitEmpty bool
	index     []int
	typ       reflect.Type
}

// jsonFields lists the fields encoding/json emits for struct t, in its order: exported fields in
// declaration order, untagged-name embedded structs flattened in place, and for clashing names the
// shallowest (then the tagged) one wins, while an unresolved tie drops the name altogether.
func jsonFields(t reflect.Type) []candidate {
	var all []candidate
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			ft := sf.Type
			if sf.Anonymous {
				if ft.Kind() == reflect.Pointer {
					fail("embedded pointer %s in %s is not supported", ft, t)
				}
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			omitEmpty := false
			for _, opt := range strings.Split(opts, ",") {
				switch opt {
				case "", "inline":
				case "omitempty":
					omitEmpty = true
				default:
					// omitzero and string change the encoding in ways src/hash.ts does not model.
					fail("%s.%s: json tag option %q is not supported", t, sf.Name, opt)
				}
			}
			idx := append(slices.Clone(index), i)
			if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
				walk(ft, idx)
				continue
			}
			tagged := name != ""
			if !tagged {
				name = sf.Name
			}
			all = append(all, candidate{name: name, tagged: tagged, omitEmpty: omitEmpty, index: idx, typ: ft})
		}
	}
	walk(t, nil)

	byName := map[string][]candidate{}
	for _, c := range all {
		byName[c.name] = append(byName[c.name], c)
	}
	var out []candidate
	for _, group := range byName {
		sort.SliceStable(group, func(i, j int) bool {
			if len(group[i].index) != len(group[j].index) {
				return len(group[i].index) < len(group[j].index)
			}
			return group[i].tagged && !group[j].tagged
		})
		if len(group) > 1 && len(group[0].index) == len(group[1].index) && group[0].tagged == group[1].tagged {
			continue
		}
		out = append(out, group[0])
	}
	sort.Slice(out, func(i, j int) bool { return slices.Compare(out[i].index, out[j].index) < 0 })
	return out
}

// fill gives every reachable field a non-zero value, so that marshalling shows every key.
func fill(v reflect.Value, depth int) {
	switch v.Type() {
	case quantityType:
		v.Set(reflect.ValueOf(resource.MustParse("1")))
		return
	case intOrStringType:
		v.Set(reflect.ValueOf(intstr.FromInt32(1)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		if depth > 8 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		k.SetString("k")
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				fill(v.Field(i), depth+1)
			}
		}
	}
}

func topLevelKeys(data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		fail("decoding %s: %v", data, err)
	}
	keys := []string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			fail("decoding %s: %v", data, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			fail("decoding %s: %v", data, err)
		}
	}
	return keys
}

// alwaysEmitted reports whether encoding/json writes a field of this kind even when it is empty:
// omitempty never drops a struct value (Quantity and IntOrString are structs too).
func alwaysEmitted(f field) bool {
	return !f.OmitEmpty || f.Kind == "struct" || f.Kind == "quantity" || f.Kind == "intorstring"
}

func (w *walker) selfCheck() {
	for _, t := range w.structs {
		name := typeName(t)
		var want []string
		var wantZero []string
		for _, f := range w.types[name] {
			want = append(want, f.Name)
			if alwaysEmitted(f) {
				wantZero = append(wantZero, f.Name)
			}
		}
		full := reflect.New(t).Elem()
		fill(full, 0)
		data, err := json.Marshal(full.Interface())
		if err != nil {
			fail("marshal %s: %v", name, err)
		}
		if got := topLevelKeys(data); !slices.Equal(got, append([]string{}, want...)) && !(len(got) == 0 && len(want) == 0) {
			fail("%s: encoding/json wrote keys %v, layout says %v", name, got, want)
		}
		data, err = json.Marshal(reflect.New(t).Elem().Interface())
		if err != nil {
			fail("marshal zero %s: %v", name, err)
		}
		if got := topLevelKeys(data); !slices.Equal(got, wantZero) && !(len(got) == 0 && len(wantZero) == 0) {
			fail("zero %s: encoding/json wrote keys %v, layout says %v", name, got, wantZero)
		}
	}
}

func printLayout() {
	w := &walker{types: map[string][]field{}, byName: map[string]reflect.Type{}}
	root := w.describe(reflect.TypeFor[corev1.Container]())
	w.selfCheck()
	doc := layoutDoc{
		Comment: "Generated by scripts/generate-go-json-layout.ts (Go reflection over k8s.io/api). Do not edit.",
		Source:  "k8s.io/api " + moduleVersion("k8s.io/api"),
		Root:    root,
		Types:   w.types,
	}
	// Hand-laid-out JSON, one field per line, so that diffs after a Kubernetes bump stay readable.
	compact := func(v any) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			fail("%v", err)
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{\n \"$comment\": %s,\n \"source\": %s,\n \"root\": %s,\n \"types\": {\n",
		compact(doc.Comment), compact(doc.Source), compact(doc.Root))
	names := slices.Sorted(maps.Keys(doc.Types))
	for i, name := range names {
		fmt.Fprintf(&b, "  %s: [", compact(name))
		for j, f := range doc.Types[name] {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n   %s", compact(f))
		}
		b.WriteString("\n  ]")
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(" }\n}\n")
	os.Stdout.WriteString(b.String())
}

// moduleVersion reads the required version of a module from this program's go.mod, so the layout
// records which Kubernetes API it describes.
func moduleVersion(module string) string {
	data, err := os.ReadFile("go.mod")
	if err != nil {
		fail("read go.mod: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == module {
			return f[1]
		}
	}
	fail("go.mod does not require %s", module)
	return ""
}

// ---- hash (kruise pkg/control/sidecarcontrol SidecarSetHash / SidecarSetHashWithoutImage) ----

func kruiseHash(spec sidecarSetSpec) (string, string) {
	hashObj := map[string]interface{}{"containers": spec.Containers}
	for _, c := range spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			hashObj["initContainers"] = spec.InitContainers
			break
		}
	}
	data, err := json.Marshal(hashObj)
	if err != nil {
		fail("marshal: %v", err)
	}
	return string(data), rand.SafeEncodeString(fmt.Sprintf("%x", sha256.Sum256(data)))
}

func withoutImages(list []sidecarContainer) []sidecarContainer {
	if list == nil {
		return nil
	}
	out := make([]sidecarContainer, len(list))
	for i, c := range list {
		c.Image = ""
		out[i] = c
	}
	return out
}

// readStdinArray reads the JSON array both the hash and the quantity commands take on stdin.
func readStdinArray() []json.RawMessage {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("read stdin: %v", err)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(input, &raw); err != nil {
		fail("stdin must be a JSON array: %v", err)
	}
	return raw
}

func printHashes() {
	raw := readStdinArray()
	type result struct {
		JSON             string `json:"json"`
		Hash             string `json:"hash"`
		JSONWithoutImage string `json:"jsonWithoutImage"`
		HashWithoutImage string `json:"hashWithoutImage"`
	}
	var results []result
	for _, r := range raw {
		var spec sidecarSetSpec
		// The decoder the Kubernetes apimachinery serializer (and so kruise's webhook) uses.
		if err := kjson.UnmarshalCaseSensitivePreserveInts(r, &spec); err != nil {
			fail("decode %s: %v", r, err)
		}
		var res result
		res.JSON, res.Hash = kruiseHash(spec)
		res.JSONWithoutImage, res.HashWithoutImage = kruiseHash(sidecarSetSpec{
			InitContainers: withoutImages(spec.InitContainers),
			Containers:     withoutImages(spec.Containers),
		})
		results = append(results, res)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		fail("%v", err)
	}
}

// ---- quantity ----

func printQuantities() {
	raw := readStdinArray()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, r := range raw {
		// One line per input: [input, marshalled or null if invalid, marshalled after RoundUp(Milli)].
		var q resource.Quantity
		if err := q.UnmarshalJSON(r); err != nil {
			fmt.Fprintf(out, "[%s,null,null],\n", r)
			continue
		}
		plain, _ := json.Marshal(q)
		q.RoundUp(resource.Milli)
		milli, _ := json.Marshal(q)
		fmt.Fprintf(out, "[%s,%s,%s],\n", r, plain, milli)
	}
}
