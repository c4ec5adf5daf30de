package defaults

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse/kube"
)

// Kubernetes control-plane components a product ships as manifests
// (static pods of kube-apiserver, kube-controller-manager, kube-scheduler,
// etcd, and the kubelet's own configuration): the flags and settings their
// documentation names as turning authentication, authorization or TLS off.
// Judged only when such a manifest is in the tree.

// ControlPlane is one control-plane component found in the tree.
type ControlPlane struct {
	Component string // kube-apiserver | kubelet | kube-controller-manager | kube-scheduler | etcd
	Path      string
	Line      int
	Where     string // "Pod kube-apiserver, container kube-apiserver", "KubeletConfiguration"
	Key       string
	// Flags are the command-line flags, by name without dashes; a bare flag
	// is "true". FlagLines are their lines.
	Flags     map[string]string
	FlagLines map[string]int
	// Config is a KubeletConfiguration, when the component is configured
	// by file.
	Config *kube.KubeletConfig
}

var controlPlaneComponents = map[string]bool{"kube-apiserver": true, "kubelet": true, "kube-controller-manager": true, "kube-scheduler": true, "etcd": true}

// controlPlanes finds the control-plane components of the manifests.
func controlPlanes(m *kube.Manifests) []ControlPlane {
	var out []ControlPlane
	for _, w := range m.Workloads {
		for _, c := range w.Pod.Containers {
			argv := append(append([]string(nil), c.Command...), c.Args...)
			comp := ""
			for _, a := range argv {
				if b := path.Base(a); controlPlaneComponents[b] {
					comp = b
					break
				}
			}
			if comp == "" {
				continue
			}
			flags, lines := parseFlags(argv, c.ArgvLines)
			out = append(out, ControlPlane{Component: comp, Path: w.Path, Line: c.Line, Where: fmt.Sprintf("%s %s, container %s", w.Kind, w.Name, c.Name),
				Key: w.Kind + "/" + w.Name + ":container:" + c.Name, Flags: flags, FlagLines: lines})
		}
	}
	for i := range m.KubeletConfigs {
		kc := &m.KubeletConfigs[i]
		out = append(out, ControlPlane{Component: "kubelet", Path: kc.Path, Line: kc.Line, Where: "KubeletConfiguration", Key: "KubeletConfiguration/" + kc.Name, Config: kc})
	}
	return out
}

// parseFlags reads --name=value and bare --name (true) flags, with the
// line of each (lines parallel to argv; missing lines are 0).
func parseFlags(argv []string, lines []int) (map[string]string, map[string]int) {
	out, at := map[string]string{}, map[string]int{}
	for i, a := range argv {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, val, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !ok {
			val = "true"
		}
		out[name] = val
		if i < len(lines) {
			at[name] = lines[i]
		}
	}
	return out, at
}

// cpRule is one flag rule: bad says whether the value (set: the flag is
// given) weakens the component, with the outcome and why.
type cpRule struct {
	components []string
	flag       string
	judge      func(val string, set bool) (checks.Outcome, string)
}

func explicitly(insecure func(string) bool, why string) func(string, bool) (checks.Outcome, string) {
	return func(v string, set bool) (checks.Outcome, string) {
		if set && insecure(strings.ToLower(v)) {
			return checks.Fail, why
		}
		return "", ""
	}
}

// orByDefault fails an insecure value and warns when the flag is left at
// its insecure default.
func orByDefault(insecure func(string) bool, why, byDefault string) func(string, bool) (checks.Outcome, string) {
	return func(v string, set bool) (checks.Outcome, string) {
		switch {
		case set && insecure(strings.ToLower(v)):
			return checks.Fail, why
		case !set:
			return checks.Warn, byDefault
		}
		return "", ""
	}
}

func isTrue(v string) bool         { return v == "true" || v == "1" }
func isFalse(v string) bool        { return v == "false" || v == "0" }
func nonZero(v string) bool        { return v != "0" && v != "" }
func anySet(string) bool           { return true }
func hasAlwaysAllow(v string) bool { return strings.Contains(v, "alwaysallow") }

var cpRules = []cpRule{
	{[]string{"kube-apiserver", "kubelet"}, "anonymous-auth", orByDefault(isTrue, "serves anonymous requests (--anonymous-auth=true)", "does not set --anonymous-auth=false: anonymous requests are served by default")},
	{[]string{"kube-apiserver", "kubelet"}, "authorization-mode", explicitly(hasAlwaysAllow, "authorizes every request (--authorization-mode=AlwaysAllow)")},
	{[]string{"kube-apiserver", "kube-controller-manager", "kube-scheduler"}, "insecure-port", explicitly(nonZero, "serves the API without TLS or authentication (--insecure-port is not 0)")},
	{[]string{"kube-apiserver"}, "insecure-bind-address", explicitly(anySet, "binds the insecure, unauthenticated port (--insecure-bind-address)")},
	{[]string{"kube-apiserver"}, "kubelet-https", explicitly(isFalse, "talks to kubelets without TLS (--kubelet-https=false)")},
	{[]string{"kube-apiserver"}, "enable-admission-plugins", explicitly(func(v string) bool { return strings.Contains(v, "alwaysadmit") }, "admits every request (AlwaysAdmit)")},
	{[]string{"kube-apiserver"}, "token-auth-file", explicitly(anySet, "accepts static bearer tokens from a file (--token-auth-file)")},
	{[]string{"kube-apiserver"}, "basic-auth-file", explicitly(anySet, "accepts static passwords from a file (--basic-auth-file)")},
	{[]string{"kube-apiserver", "kube-controller-manager", "kube-scheduler"}, "profiling", orByDefault(isTrue, "exposes profiling endpoints (--profiling=true)", "does not set --profiling=false: profiling endpoints are on by default")},
	{[]string{"kubelet"}, "read-only-port", explicitly(nonZero, "serves an unauthenticated read-only port (--read-only-port is not 0)")},
	{[]string{"etcd"}, "client-cert-auth", orByDefault(isFalse, "accepts clients without a certificate (--client-cert-auth=false)", "does not set --client-cert-auth=true: clients are not authenticated by default")},
	{[]string{"etcd"}, "auto-tls", explicitly(isTrue, "uses self-signed, unverified client certificates (--auto-tls=true)")},
	{[]string{"etcd"}, "peer-auto-tls", explicitly(isTrue, "uses self-signed, unverified peer certificates (--peer-auto-tls=true)")},
}

func evalControlPlane(f *Facts) []checks.Finding {
	var out []checks.Finding
	for _, cp := range f.ControlPlanes {
		if cp.Config != nil {
			out = append(out, evalKubeletConfig(cp)...)
			continue
		}
		for _, r := range cpRules {
			if !containsStr(r.components, cp.Component) {
				continue
			}
			v, set := cp.Flags[r.flag]
			o, why := r.judge(v, set)
			if o == "" {
				continue
			}
			fd := checks.Finding{Outcome: o, Path: cp.Path, Line: cp.Line, Key: cp.Key + ":" + r.flag,
				Message: fmt.Sprintf("%s (%s) %s", cp.Component, cp.Where, why)}
			if set {
				fd.Snippet = "--" + r.flag + "=" + v
				if l := cp.FlagLines[r.flag]; l > 0 {
					fd.Line = l
				}
			} else {
				fd.Severity = checks.SeverityMedium
			}
			out = append(out, fd)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func evalKubeletConfig(cp ControlPlane) []checks.Finding {
	kc := cp.Config
	var out []checks.Finding
	add := func(o checks.Outcome, line, col int, key, msg, snip string) {
		fd := checks.Finding{Outcome: o, Path: cp.Path, Line: line, Column: col, Key: cp.Key + ":" + key, Message: "kubelet (" + cp.Where + ") " + msg, Snippet: snip}
		if o == checks.Warn {
			fd.Severity = checks.SeverityMedium
		}
		out = append(out, fd)
	}
	switch a := kc.AnonymousAuth; {
	case a.True():
		add(checks.Fail, a.Line, a.Column, "anonymous", "serves anonymous requests (authentication.anonymous.enabled: true)", "enabled: true")
	case !a.Set:
		add(checks.Warn, cp.Line, 0, "anonymous", "does not set authentication.anonymous.enabled: false: anonymous requests are served by default", "")
	}
	switch m := kc.AuthorizationMode; {
	case strings.EqualFold(m.Value, "AlwaysAllow"):
		add(checks.Fail, m.Line, m.Column, "authorization", "authorizes every request (authorization.mode: AlwaysAllow)", "mode: AlwaysAllow")
	case m.Value == "":
		add(checks.Warn, cp.Line, 0, "authorization", "does not set authorization.mode: Webhook: the default authorizes every request", "")
	}
	if p := kc.ReadOnlyPort; p.Set && p.Value != 0 {
		add(checks.Fail, p.Line, p.Column, "readOnlyPort", "serves an unauthenticated read-only port (readOnlyPort: "+strconv.FormatInt(p.Value, 10)+")", "readOnlyPort: "+strconv.FormatInt(p.Value, 10))
	}
	return out
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
