// Package kube reads Kubernetes manifests: multi-document YAML decoded to
// yaml.v3 nodes so that every element keeps its line. Files are
// recognised by apiVersion and kind, not by extension; Helm templates are
// reported as not parsed rather than as errors.
package kube

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse"
)

// MemoKey is the Target.Memo key of the parsed manifests.
const MemoKey = "parse/kube"

// Manifests is every Kubernetes object of interest found in the target.
type Manifests struct {
	// Files lists the files that held at least one Kubernetes object.
	Files     []string   `json:"files"`
	Workloads []Workload `json:"workloads,omitempty"`
	Services  []Service  `json:"services,omitempty"`
	Ingresses []Ingress  `json:"ingresses,omitempty"`
	// Data is the key/value data of Secrets and ConfigMaps, read so that
	// credentials committed in them are found like those in env entries.
	Data []ConfigData `json:"data,omitempty"`
	// TLSSkips are kubeconfig clusters and APIService objects that skip
	// the server's certificate check.
	TLSSkips []TLSSkip `json:"tls_skips,omitempty"`
	// KubeletConfigs are kubelet configuration files
	// (kubelet.config.k8s.io KubeletConfiguration), as flat settings.
	KubeletConfigs []KubeletConfig `json:"kubelet_configs,omitempty"`
	Issues         []parse.Issue   `json:"issues,omitempty"`
}

// KubeletConfig is a KubeletConfiguration: the settings the control-plane
// check judges, each with where it is written (unset when absent).
type KubeletConfig struct {
	Object
	AnonymousAuth     Bool   `json:"anonymousAuth"`
	AuthorizationMode String `json:"authorizationMode"`
	ReadOnlyPort      Int    `json:"readOnlyPort"`
}

// TLSSkip is a place that turns the API server's certificate check off:
// insecure-skip-tls-verify: true in a kubeconfig cluster, or
// insecureSkipTLSVerify: true in an APIService.
type TLSSkip struct {
	Object
	Field  string `json:"field"`
	Where  string `json:"where,omitempty"` // the kubeconfig cluster's name
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
}

// Object identifies a manifest object.
type Object struct {
	Path       string `json:"path"`
	Doc        int    `json:"doc"` // 0-based document index in the file
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Line       int    `json:"line"` // the line of kind
}

// Workload is a Pod or an object with a pod template.
type Workload struct {
	Object
	Pod PodSpec `json:"pod"`
}

// WorkloadKinds are the core kinds whose pod spec is read. Any other kind
// — OpenShift DeploymentConfig, Knative Service and Configuration, Argo
// Rollout, an unknown custom resource — is a workload too when it carries
// a pod spec where these do (see podSpecOf).
var WorkloadKinds = []string{"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate"}

// Bool is a boolean field with where it was set; Set is false when absent.
type Bool struct {
	Set    bool `json:"set"`
	Value  bool `json:"value"`
	Line   int  `json:"line,omitempty"`
	Column int  `json:"column,omitempty"`
}

// True reports whether the field is set to true.
func (b Bool) True() bool { return b.Set && b.Value }

// Int is an integer field with where it was set.
type Int struct {
	Set    bool  `json:"set"`
	Value  int64 `json:"value"`
	Line   int   `json:"line,omitempty"`
	Column int   `json:"column,omitempty"`
}

// String is a string with where it was written.
type String struct {
	Value  string `json:"value"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
}

// PodSpec is the pod-level part of a workload.
type PodSpec struct {
	Line            int              `json:"line"`
	HostNetwork     Bool             `json:"hostNetwork"`
	HostPID         Bool             `json:"hostPID"`
	HostIPC         Bool             `json:"hostIPC"`
	SecurityContext *SecurityContext `json:"securityContext,omitempty"`
	Containers      []Container      `json:"containers"` // init containers included, Init set
	Volumes         []Volume         `json:"volumes,omitempty"`
}

// SecurityContext is a pod or container security context.
type SecurityContext struct {
	Line                     int      `json:"line"`
	RunAsUser                Int      `json:"runAsUser"`
	RunAsNonRoot             Bool     `json:"runAsNonRoot"`
	Privileged               Bool     `json:"privileged"`
	AllowPrivilegeEscalation Bool     `json:"allowPrivilegeEscalation"`
	ReadOnlyRootFilesystem   Bool     `json:"readOnlyRootFilesystem"`
	CapabilitiesAdd          []String `json:"capabilitiesAdd,omitempty"`
	CapabilitiesDrop         []String `json:"capabilitiesDrop,omitempty"`
}

// Container is a container or init container.
type Container struct {
	Name            string           `json:"name"`
	Image           String           `json:"image"`
	Init            bool             `json:"init,omitempty"`
	Line            int              `json:"line"`
	Ports           []ContainerPort  `json:"ports,omitempty"`
	SecurityContext *SecurityContext `json:"securityContext,omitempty"`
	Env             []EnvVar         `json:"env,omitempty"`
	VolumeMounts    []VolumeMount    `json:"volumeMounts,omitempty"`
	Command         []string         `json:"command,omitempty"`
	Args            []string         `json:"args,omitempty"`
	// ArgvLines are the lines of Command's then Args' elements, in order.
	ArgvLines []int `json:"argv_lines,omitempty"`
}

// ContainerPort is one entry of a container's ports.
type ContainerPort struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort,omitempty"`
	HostIP        string `json:"hostIP,omitempty"`
	Protocol      string `json:"protocol"` // lower case, default tcp
	Line          int    `json:"line"`
	Column        int    `json:"column,omitempty"`
	HostPortLine  int    `json:"hostPortLine,omitempty"`
}

// EnvVar is one container env entry. Value may be a secret: never print it.
type EnvVar struct {
	Name      string `json:"name"`
	Value     string `json:"value,omitempty"`
	HasValue  bool   `json:"hasValue"`
	ValueFrom bool   `json:"valueFrom,omitempty"` // from a Secret, ConfigMap or field
	Line      int    `json:"line"`
	Column    int    `json:"column,omitempty"`
	ValueLine int    `json:"valueLine,omitempty"`
}

// ConfigData is a Secret's or ConfigMap's data.
type ConfigData struct {
	Object
	Entries []DataEntry `json:"entries,omitempty"`
}

// DataEntry is one key of a Secret's data/stringData or a ConfigMap's
// data. Value is the text the workload sees (a Secret's base64 data
// decoded); it may be a secret, so it is never serialised.
type DataEntry struct {
	Key    string `json:"key"`
	Value  string `json:"-"`
	Field  string `json:"field"` // "data" | "stringData"
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
}

// VolumeMount is one entry of a container's volumeMounts.
type VolumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	Line      int    `json:"line"`
	Column    int    `json:"column,omitempty"`
}

// Volume is a pod volume; HostPath is set for hostPath volumes.
type Volume struct {
	Name     string `json:"name"`
	HostPath string `json:"hostPath,omitempty"`
	Line     int    `json:"line"`
}

// Service is a v1 Service.
type Service struct {
	Object
	Type        string        `json:"type"` // ClusterIP (default) | NodePort | LoadBalancer | ExternalName
	TypeLine    int           `json:"typeLine,omitempty"`
	ExternalIPs []string      `json:"externalIPs,omitempty"`
	Ports       []ServicePort `json:"ports,omitempty"`
}

// ServicePort is one Service port.
type ServicePort struct {
	Name       string `json:"name,omitempty"`
	Port       int    `json:"port"`
	TargetPort string `json:"targetPort,omitempty"` // number or name
	NodePort   int    `json:"nodePort,omitempty"`
	Protocol   string `json:"protocol"`
	Line       int    `json:"line"`
	Column     int    `json:"column,omitempty"`
}

// Ingress is a networking Ingress.
type Ingress struct {
	Object
	Rules []IngressRule `json:"rules,omitempty"`
	TLS   []IngressTLS  `json:"tls,omitempty"`
	// DefaultBackend is the spec.defaultBackend (or backend) service, if any.
	DefaultBackend *IngressPath `json:"defaultBackend,omitempty"`
}

// IngressRule is one host rule.
type IngressRule struct {
	Host  string        `json:"host,omitempty"`
	Line  int           `json:"line"`
	Paths []IngressPath `json:"paths,omitempty"`
}

// IngressPath is one HTTP path of a rule.
type IngressPath struct {
	Path        string `json:"path,omitempty"`
	ServiceName string `json:"serviceName,omitempty"`
	ServicePort string `json:"servicePort,omitempty"` // number or name
	Line        int    `json:"line"`
}

// IngressTLS is one TLS entry.
type IngressTLS struct {
	Hosts      []string `json:"hosts,omitempty"`
	SecretName string   `json:"secretName,omitempty"`
	Line       int      `json:"line"`
}

// Candidate reports whether a path may hold manifests (YAML, or JSON as
// kubectl accepts, by extension) or a kubeconfig (kubeconfig, *.kubeconfig,
// .kube/config); the content decides.
func Candidate(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".yaml", ".yml", ".json", ".kubeconfig":
		return true
	}
	base := strings.ToLower(path.Base(rel))
	return base == "kubeconfig" || base == "config" && strings.HasSuffix(path.Dir(rel), ".kube")
}

// Load returns the target's manifests, parsed once per run.
func Load(ctx context.Context, t *checks.Target) (*Manifests, error) {
	return checks.Memoized(t.Memo, MemoKey, func() (*Manifests, error) {
		m := &Manifests{}
		for _, e := range t.Files.Match(func(rel string) bool { return Candidate(rel) && !parse.Vendored(rel) }) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			data, err := t.Files.Read(e.Path)
			if err != nil {
				// Only report unreadable files that look like manifests by name;
				// the FileIndex records every read error anyway.
				continue
			}
			m.Add(e.Path, data)
		}
		return m, nil
	})
}

// LooksLikeManifest is a cheap content test: Kubernetes objects have both
// apiVersion and kind keys.
func LooksLikeManifest(data []byte) bool {
	return bytes.Contains(data, []byte("apiVersion")) && bytes.Contains(data, []byte("kind"))
}

// Add parses one file into m. Files that are not Kubernetes manifests add
// nothing; manifests that cannot be parsed add an issue.
func (m *Manifests) Add(p string, data []byte) {
	if !LooksLikeManifest(data) {
		return
	}
	if bytes.Contains(data, []byte("{{")) {
		m.Issues = append(m.Issues, parse.Issue{Path: p, Skipped: true, Message: "template ({{ }}), not parsed; render it (helm template) and scan the output"})
		return
	}
	docs, err := parse.YAMLDocuments(data)
	if err != nil && !errors.Is(err, parse.ErrYAMLLimit) {
		// One broken document must not lose the others: read each
		// document on its own and say which one was left out.
		var bad []parse.DocumentError
		docs, bad = parse.YAMLDocumentsLenient(data)
		for _, b := range bad {
			line := yamlErrLine(b.Err)
			if line == 0 {
				line = b.Line
			}
			is := parse.Issue{Path: p, Line: line, Message: "Kubernetes manifest not parsed: " + b.Err.Error()}
			if len(docs) > 0 {
				is.Lenient = true
				is.Message = fmt.Sprintf("Kubernetes manifest read leniently: the document at line %d did not parse (%v) and was left out; the other documents were judged", b.Line, b.Err)
			}
			m.Issues = append(m.Issues, is)
		}
	} else if err != nil {
		m.Issues = append(m.Issues, parse.Issue{Path: p, Line: yamlErrLine(err), Message: "Kubernetes manifest not parsed: " + err.Error()})
	}
	found := false
	for i, d := range docs {
		if m.addObject(p, i, d.Content[0]) {
			found = true
		}
	}
	if found || err != nil {
		m.Files = append(m.Files, p)
	}
}

func yamlErrLine(err error) int {
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(rest[:j])
		return n
	}
	return 0
}

func (m *Manifests) addObject(p string, doc int, n *yaml.Node) bool {
	n = parse.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	kindNode, kindKey := parse.MapGet(n, "kind")
	api := parse.Scalar(first(parse.MapGet(n, "apiVersion")))
	kind := parse.Scalar(kindNode)
	if api == "" || kind == "" {
		return false
	}
	if kind == "List" || strings.HasSuffix(kind, "List") {
		items, _ := parse.MapGet(n, "items")
		any := false
		if items != nil && items.Kind == yaml.SequenceNode {
			for _, it := range items.Content {
				if m.addObject(p, doc, it) {
					any = true
				}
			}
		}
		return any
	}
	meta, _ := parse.MapGet(n, "metadata")
	obj := Object{Path: p, Doc: doc, APIVersion: api, Kind: kind, Line: kindKey.Line,
		Name: parse.Scalar(first(parse.MapGet(meta, "name"))), Namespace: parse.Scalar(first(parse.MapGet(meta, "namespace")))}
	spec, _ := parse.MapGet(n, "spec")
	core := kind
	if kind == "Service" && api != "v1" || kind == "Config" && api != "v1" {
		core = "" // Knative's serving.knative.dev Service is a workload, not a v1 Service
	}
	switch core {
	case "Config":
		m.TLSSkips = append(m.TLSSkips, kubeconfigSkips(obj, n)...)
	case "KubeletConfiguration":
		authn, _ := parse.MapGet(n, "authentication")
		anon, _ := parse.MapGet(authn, "anonymous")
		authz, _ := parse.MapGet(n, "authorization")
		m.KubeletConfigs = append(m.KubeletConfigs, KubeletConfig{Object: obj, AnonymousAuth: boolAt(anon, "enabled"),
			AuthorizationMode: strAt(authz, "mode"), ReadOnlyPort: intAt(n, "readOnlyPort")})
	case "APIService":
		if b := boolAt(spec, "insecureSkipTLSVerify"); b.True() {
			m.TLSSkips = append(m.TLSSkips, TLSSkip{Object: obj, Field: "insecureSkipTLSVerify", Line: b.Line, Column: b.Column})
		}
	case "Pod":
		m.Workloads = append(m.Workloads, Workload{Object: obj, Pod: podSpec(spec)})
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job":
		tpl, _ := parse.MapGet(spec, "template")
		m.Workloads = append(m.Workloads, Workload{Object: obj, Pod: podSpec(first(parse.MapGet(tpl, "spec")))})
	case "CronJob":
		jt, _ := parse.MapGet(spec, "jobTemplate")
		js, _ := parse.MapGet(jt, "spec")
		tpl, _ := parse.MapGet(js, "template")
		m.Workloads = append(m.Workloads, Workload{Object: obj, Pod: podSpec(first(parse.MapGet(tpl, "spec")))})
	case "PodTemplate":
		tpl, _ := parse.MapGet(n, "template")
		m.Workloads = append(m.Workloads, Workload{Object: obj, Pod: podSpec(first(parse.MapGet(tpl, "spec")))})
	case "Service":
		m.Services = append(m.Services, service(obj, spec))
	case "Ingress":
		m.Ingresses = append(m.Ingresses, ingress(obj, spec))
	case "Secret", "ConfigMap":
		if cd := configData(obj, n); len(cd.Entries) > 0 {
			m.Data = append(m.Data, cd)
		}
	default:
		if ps := podSpecOf(n); ps != nil {
			m.Workloads = append(m.Workloads, Workload{Object: obj, Pod: podSpec(ps)})
		}
	}
	return true
}

// podSpecPaths are where objects of other kinds keep a pod spec: a pod
// template (DeploymentConfig, Knative Service/Configuration, Argo Rollout,
// most operators' custom resources), a job template (CronJob-like), a pod
// spec itself, or a PodTemplate-like template.
var podSpecPaths = [][]string{
	{"spec", "template", "spec"},
	{"spec", "jobTemplate", "spec", "template", "spec"},
	{"spec"},
	{"template", "spec"},
}

// podSpecOf finds the pod spec of an object of another kind: the first
// of podSpecPaths that holds a list of containers.
func podSpecOf(n *yaml.Node) *yaml.Node {
	for _, p := range podSpecPaths {
		cur := n
		for _, k := range p {
			cur, _ = parse.MapGet(cur, k)
		}
		if cs, _ := parse.MapGet(cur, "containers"); cs != nil && cs.Kind == yaml.SequenceNode && len(cs.Content) > 0 && parse.Resolve(cs.Content[0]).Kind == yaml.MappingNode {
			return cur
		}
	}
	return nil
}

// kubeconfigSkips reads a kubeconfig's clusters[].cluster.insecure-skip-tls-verify.
func kubeconfigSkips(obj Object, n *yaml.Node) []TLSSkip {
	var out []TLSSkip
	clusters, _ := parse.MapGet(n, "clusters")
	for _, c := range seq(clusters) {
		cl, _ := parse.MapGet(c, "cluster")
		if b := boolAt(cl, "insecure-skip-tls-verify"); b.True() {
			out = append(out, TLSSkip{Object: obj, Field: "insecure-skip-tls-verify", Where: parse.Scalar(first(parse.MapGet(c, "name"))), Line: b.Line, Column: b.Column})
		}
	}
	return out
}

// configData reads a Secret's data (base64) and stringData, or a
// ConfigMap's data. Entries that are not text (undecodable base64, binary
// content) are skipped: they cannot be judged as credentials.
func configData(obj Object, n *yaml.Node) ConfigData {
	cd := ConfigData{Object: obj}
	fields := []string{"data"}
	if obj.Kind == "Secret" {
		fields = append(fields, "stringData")
	}
	for _, field := range fields {
		d, _ := parse.MapGet(n, field)
		d = parse.Resolve(d)
		if d == nil || d.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(d.Content); i += 2 {
			k, v := d.Content[i], parse.Resolve(d.Content[i+1])
			if v == nil || v.Kind != yaml.ScalarNode || parse.IsNull(v) {
				continue
			}
			val := v.Value
			if obj.Kind == "Secret" && field == "data" {
				b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
				if err != nil {
					continue
				}
				val = string(b)
			}
			if !utf8.ValidString(val) || strings.ContainsRune(val, 0) {
				continue
			}
			cd.Entries = append(cd.Entries, DataEntry{Key: k.Value, Value: val, Field: field, Line: k.Line, Column: k.Column})
		}
	}
	return cd
}

func first(a, _ *yaml.Node) *yaml.Node { return a }

func boolAt(m *yaml.Node, key string) Bool {
	v, k := parse.MapGet(m, key)
	if v == nil || v.Kind != yaml.ScalarNode || parse.IsNull(v) {
		return Bool{}
	}
	b, err := strconv.ParseBool(v.Value)
	if err != nil {
		switch strings.ToLower(v.Value) {
		case "yes", "on":
			b = true
		case "no", "off":
			b = false
		default:
			return Bool{}
		}
	}
	return Bool{Set: true, Value: b, Line: k.Line, Column: k.Column}
}

func intAt(m *yaml.Node, key string) Int {
	v, k := parse.MapGet(m, key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return Int{}
	}
	i, err := strconv.ParseInt(strings.TrimSpace(v.Value), 10, 64)
	if err != nil {
		return Int{}
	}
	return Int{Set: true, Value: i, Line: k.Line, Column: k.Column}
}

func strAt(m *yaml.Node, key string) String {
	v, k := parse.MapGet(m, key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return String{}
	}
	return String{Value: v.Value, Line: k.Line, Column: k.Column}
}

func seq(n *yaml.Node) []*yaml.Node {
	n = parse.Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, parse.Resolve(c))
	}
	return out
}

func scalars(n *yaml.Node) []string {
	var out []string
	for _, c := range seq(n) {
		if c != nil && c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

func podSpec(spec *yaml.Node) PodSpec {
	spec = parse.Resolve(spec)
	if spec == nil || spec.Kind != yaml.MappingNode {
		return PodSpec{}
	}
	ps := PodSpec{Line: spec.Line,
		HostNetwork: boolAt(spec, "hostNetwork"), HostPID: boolAt(spec, "hostPID"), HostIPC: boolAt(spec, "hostIPC"),
		SecurityContext: securityContext(spec)}
	for _, key := range []string{"initContainers", "containers"} {
		cs, _ := parse.MapGet(spec, key)
		for _, c := range seq(cs) {
			if c == nil || c.Kind != yaml.MappingNode {
				continue
			}
			ps.Containers = append(ps.Containers, container(c, key == "initContainers"))
		}
	}
	vs, _ := parse.MapGet(spec, "volumes")
	for _, v := range seq(vs) {
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		vol := Volume{Name: parse.Scalar(first(parse.MapGet(v, "name"))), Line: v.Line}
		if hp, _ := parse.MapGet(v, "hostPath"); hp != nil {
			vol.HostPath = parse.Scalar(first(parse.MapGet(hp, "path")))
		}
		ps.Volumes = append(ps.Volumes, vol)
	}
	return ps
}

func securityContext(parent *yaml.Node) *SecurityContext {
	sc, _ := parse.MapGet(parent, "securityContext")
	if sc == nil || sc.Kind != yaml.MappingNode {
		return nil
	}
	out := &SecurityContext{Line: sc.Line, RunAsUser: intAt(sc, "runAsUser"), RunAsNonRoot: boolAt(sc, "runAsNonRoot"),
		Privileged: boolAt(sc, "privileged"), AllowPrivilegeEscalation: boolAt(sc, "allowPrivilegeEscalation"),
		ReadOnlyRootFilesystem: boolAt(sc, "readOnlyRootFilesystem")}
	if caps, _ := parse.MapGet(sc, "capabilities"); caps != nil {
		add, _ := parse.MapGet(caps, "add")
		for _, c := range seq(add) {
			if c != nil && c.Kind == yaml.ScalarNode {
				out.CapabilitiesAdd = append(out.CapabilitiesAdd, String{Value: c.Value, Line: c.Line, Column: c.Column})
			}
		}
		drop, _ := parse.MapGet(caps, "drop")
		for _, c := range seq(drop) {
			if c != nil && c.Kind == yaml.ScalarNode {
				out.CapabilitiesDrop = append(out.CapabilitiesDrop, String{Value: c.Value, Line: c.Line, Column: c.Column})
			}
		}
	}
	return out
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0
	}
	return n
}

func proto(s string) string {
	if s == "" {
		return "tcp"
	}
	return strings.ToLower(s)
}

func container(c *yaml.Node, init bool) Container {
	out := Container{Name: parse.Scalar(first(parse.MapGet(c, "name"))), Image: strAt(c, "image"), Init: init, Line: c.Line,
		SecurityContext: securityContext(c),
		Command:         scalars(first(parse.MapGet(c, "command"))), Args: scalars(first(parse.MapGet(c, "args")))}
	for _, key := range []string{"command", "args"} {
		for _, n := range seq(first(parse.MapGet(c, key))) {
			if n != nil && n.Kind == yaml.ScalarNode {
				out.ArgvLines = append(out.ArgvLines, n.Line)
			}
		}
	}
	ports, _ := parse.MapGet(c, "ports")
	for _, p := range seq(ports) {
		if p == nil || p.Kind != yaml.MappingNode {
			continue
		}
		cp := ContainerPort{Name: parse.Scalar(first(parse.MapGet(p, "name"))),
			ContainerPort: atoi(parse.Scalar(first(parse.MapGet(p, "containerPort")))),
			HostIP:        parse.Scalar(first(parse.MapGet(p, "hostIP"))),
			Protocol:      proto(parse.Scalar(first(parse.MapGet(p, "protocol")))), Line: p.Line, Column: p.Column}
		if hv, hk := parse.MapGet(p, "hostPort"); hv != nil {
			cp.HostPort = atoi(parse.Scalar(hv))
			cp.HostPortLine = hk.Line
		}
		if _, k := parse.MapGet(p, "containerPort"); k != nil {
			cp.Line, cp.Column = k.Line, k.Column
		}
		out.Ports = append(out.Ports, cp)
	}
	env, _ := parse.MapGet(c, "env")
	for _, e := range seq(env) {
		if e == nil || e.Kind != yaml.MappingNode {
			continue
		}
		ev := EnvVar{Name: parse.Scalar(first(parse.MapGet(e, "name"))), Line: e.Line, Column: e.Column}
		if _, k := parse.MapGet(e, "name"); k != nil {
			ev.Line, ev.Column = k.Line, k.Column
		}
		if v, _ := parse.MapGet(e, "value"); v != nil && v.Kind == yaml.ScalarNode && !parse.IsNull(v) {
			ev.Value, ev.HasValue, ev.ValueLine = v.Value, true, v.Line
		}
		if vf, _ := parse.MapGet(e, "valueFrom"); vf != nil {
			ev.ValueFrom = true
		}
		out.Env = append(out.Env, ev)
	}
	mounts, _ := parse.MapGet(c, "volumeMounts")
	for _, vm := range seq(mounts) {
		if vm == nil || vm.Kind != yaml.MappingNode {
			continue
		}
		mount := VolumeMount{Name: parse.Scalar(first(parse.MapGet(vm, "name"))), MountPath: parse.Scalar(first(parse.MapGet(vm, "mountPath"))),
			Line: vm.Line, Column: vm.Column}
		out.VolumeMounts = append(out.VolumeMounts, mount)
	}
	return out
}

func service(obj Object, spec *yaml.Node) Service {
	s := Service{Object: obj, Type: "ClusterIP"}
	if v, k := parse.MapGet(spec, "type"); v != nil && parse.Scalar(v) != "" {
		s.Type, s.TypeLine = parse.Scalar(v), k.Line
	}
	s.ExternalIPs = scalars(first(parse.MapGet(spec, "externalIPs")))
	ports, _ := parse.MapGet(spec, "ports")
	for _, p := range seq(ports) {
		if p == nil || p.Kind != yaml.MappingNode {
			continue
		}
		sp := ServicePort{Name: parse.Scalar(first(parse.MapGet(p, "name"))),
			Port:       atoi(parse.Scalar(first(parse.MapGet(p, "port")))),
			TargetPort: parse.Scalar(first(parse.MapGet(p, "targetPort"))),
			NodePort:   atoi(parse.Scalar(first(parse.MapGet(p, "nodePort")))),
			Protocol:   proto(parse.Scalar(first(parse.MapGet(p, "protocol")))), Line: p.Line, Column: p.Column}
		if _, k := parse.MapGet(p, "port"); k != nil {
			sp.Line, sp.Column = k.Line, k.Column
		}
		s.Ports = append(s.Ports, sp)
	}
	return s
}

func backend(b *yaml.Node) (name, port string) {
	if svc, _ := parse.MapGet(b, "service"); svc != nil { // networking.k8s.io/v1
		name = parse.Scalar(first(parse.MapGet(svc, "name")))
		pt, _ := parse.MapGet(svc, "port")
		if num := parse.Scalar(first(parse.MapGet(pt, "number"))); num != "" {
			return name, num
		}
		return name, parse.Scalar(first(parse.MapGet(pt, "name")))
	}
	// extensions/v1beta1
	return parse.Scalar(first(parse.MapGet(b, "serviceName"))), parse.Scalar(first(parse.MapGet(b, "servicePort")))
}

func ingress(obj Object, spec *yaml.Node) Ingress {
	in := Ingress{Object: obj}
	for _, key := range []string{"defaultBackend", "backend"} {
		if b, k := parse.MapGet(spec, key); b != nil {
			n, p := backend(b)
			in.DefaultBackend = &IngressPath{ServiceName: n, ServicePort: p, Line: k.Line}
			break
		}
	}
	rules, _ := parse.MapGet(spec, "rules")
	for _, r := range seq(rules) {
		if r == nil || r.Kind != yaml.MappingNode {
			continue
		}
		rule := IngressRule{Host: parse.Scalar(first(parse.MapGet(r, "host"))), Line: r.Line}
		httpN, _ := parse.MapGet(r, "http")
		paths, _ := parse.MapGet(httpN, "paths")
		for _, p := range seq(paths) {
			if p == nil || p.Kind != yaml.MappingNode {
				continue
			}
			b, _ := parse.MapGet(p, "backend")
			n, port := backend(b)
			rule.Paths = append(rule.Paths, IngressPath{Path: parse.Scalar(first(parse.MapGet(p, "path"))), ServiceName: n, ServicePort: port, Line: p.Line})
		}
		in.Rules = append(in.Rules, rule)
	}
	tls, _ := parse.MapGet(spec, "tls")
	for _, t := range seq(tls) {
		if t == nil || t.Kind != yaml.MappingNode {
			continue
		}
		in.TLS = append(in.TLS, IngressTLS{Hosts: scalars(first(parse.MapGet(t, "hosts"))), SecretName: parse.Scalar(first(parse.MapGet(t, "secretName"))), Line: t.Line})
	}
	return in
}

// String renders an object as "Kind/name" for messages.
func (o Object) String() string {
	if o.Name == "" {
		return o.Kind
	}
	return fmt.Sprintf("%s/%s", o.Kind, o.Name)
}
