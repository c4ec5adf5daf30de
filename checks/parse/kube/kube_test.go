package kube

import (
	"encoding/json"

	"github.com/google/go-cmp/cmp"
	"os"
	"strings"
	"testing"
)

func TestAddManifests(t *testing.T) {
	data, err := os.ReadFile("testdata/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifests{}
	m.Add("k8s/app.yaml", data)
	if len(m.Issues) > 0 {
		t.Fatalf("issues: %v", m.Issues)
	}
	if len(m.Workloads) != 2 || len(m.Services) != 1 || len(m.Ingresses) != 1 {
		t.Fatalf("objects: %d workloads, %d services, %d ingresses", len(m.Workloads), len(m.Services), len(m.Ingresses))
	}
	d := m.Workloads[0]
	if d.Kind != "Deployment" || d.Name != "web" || d.Line != 3 {
		t.Errorf("object: %+v", d.Object)
	}
	if !d.Pod.HostNetwork.True() || d.Pod.HostNetwork.Line != 9 {
		t.Errorf("hostNetwork: %+v", d.Pod.HostNetwork)
	}
	if sc := d.Pod.SecurityContext; sc == nil || sc.RunAsUser.Value != 0 || !sc.RunAsUser.Set || sc.RunAsUser.Line != 11 {
		t.Errorf("pod securityContext: %+v", sc)
	}
	if len(d.Pod.Containers) != 2 || !d.Pod.Containers[0].Init {
		t.Fatalf("containers: %+v", d.Pod.Containers)
	}
	web := d.Pod.Containers[1]
	if len(web.Ports) != 2 || web.Ports[0].ContainerPort != 8080 || web.Ports[0].HostPort != 80 || web.Ports[0].Line != 19 || web.Ports[1].Protocol != "udp" {
		t.Errorf("ports: %+v", web.Ports)
	}
	sc := web.SecurityContext
	if !sc.Privileged.True() || !sc.AllowPrivilegeEscalation.Set || sc.AllowPrivilegeEscalation.Value || len(sc.CapabilitiesAdd) != 1 || sc.CapabilitiesAdd[0].Value != "NET_ADMIN" || sc.CapabilitiesAdd[0].Line != 27 {
		t.Errorf("container securityContext: %+v", sc)
	}
	if len(web.Env) != 2 || !web.Env[0].HasValue || web.Env[0].Line != 29 || !web.Env[1].ValueFrom || web.Env[1].HasValue {
		t.Errorf("env: %+v", web.Env)
	}
	if len(d.Pod.Volumes) != 1 || d.Pod.Volumes[0].HostPath != "/var/run/docker.sock" {
		t.Errorf("volumes: %+v", d.Pod.Volumes)
	}
	s := m.Services[0]
	if s.Type != "NodePort" || s.Ports[0].Port != 80 || s.Ports[0].NodePort != 30080 || s.Ports[0].TargetPort != "8080" || s.Ports[0].Line != 46 {
		t.Errorf("service: %+v", s)
	}
	in := m.Ingresses[0]
	if len(in.TLS) != 1 || in.TLS[0].Hosts[0] != "example.com" || len(in.Rules) != 1 || in.Rules[0].Paths[0].ServicePort != "80" || in.Rules[0].Paths[0].ServiceName != "web" {
		t.Errorf("ingress: %+v", in)
	}
	if cj := m.Workloads[1]; cj.Kind != "CronJob" || !cj.Pod.HostPID.True() || len(cj.Pod.Containers) != 1 {
		t.Errorf("cronjob: %+v", cj)
	}
}

func TestAddNonManifestsAndHostile(t *testing.T) {
	bomb := "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
		prev = n
	}
	bomb += "apiVersion: v1\nkind: Pod\n"
	cases := []struct {
		name, src  string
		wantIssue  string
		wantSkip   bool
		wantObject bool
	}{
		{name: "workflow", src: "on: push\njobs: {}\n"},
		{name: "helm", src: "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n", wantSkip: true, wantIssue: "template"},
		{name: "broken", src: "apiVersion: v1\nkind: Pod\n  bad: [\n", wantIssue: "not parsed"},
		{name: "alias bomb", src: bomb, wantIssue: "alias bomb"},
		{name: "deep", src: "apiVersion: v1\nkind: Pod\nspec: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", wantIssue: "not parsed"},
		{name: "scalar doc", src: "apiVersion\n---\nkind\n"},
		{name: "list", src: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers: [{name: a, image: b}]\n", wantObject: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &Manifests{}
			m.Add("x.yaml", []byte(c.src))
			if c.wantIssue == "" && len(m.Issues) > 0 {
				t.Fatalf("unexpected issues: %v", m.Issues)
			}
			if c.wantIssue != "" {
				if len(m.Issues) != 1 || !strings.Contains(m.Issues[0].Message, c.wantIssue) || m.Issues[0].Skipped != c.wantSkip || m.Issues[0].Path != "x.yaml" {
					t.Fatalf("want one issue with %q (skipped %v), got %+v", c.wantIssue, c.wantSkip, m.Issues)
				}
			}
			if c.wantObject && len(m.Workloads) != 1 {
				t.Errorf("want a workload, got %+v", m)
			}
		})
	}
}

func TestSecretsConfigMapsMountsJSON(t *testing.T) {
	yml := `apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: literal-pw
data:
  token: dG9rZW4tdmFsdWU=
  bad: not*base64
  bin: AAEC
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  LOG_LEVEL: info
stringData:
  ignored: ConfigMaps have no stringData
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: x:1
      volumeMounts:
        - {name: sock, mountPath: /var/run/docker.sock}
`
	m := &Manifests{}
	m.Add("k8s/all.yaml", []byte(yml))
	m.Add("k8s/pod.json", []byte(`{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},
 "spec": {"containers": [{"name": "c", "image": "x:1", "ports": [{"containerPort": 8080}]}]}}`))
	if len(m.Issues) > 0 {
		t.Fatalf("issues: %v", m.Issues)
	}
	type entry struct {
		Kind, Key, Value, Field string
		Line                    int
	}
	var got []entry
	for _, d := range m.Data {
		for _, e := range d.Entries {
			got = append(got, entry{d.Kind, e.Key, e.Value, e.Field, e.Line})
		}
	}
	want := []entry{
		{"Secret", "token", "token-value", "data", 7},
		{"Secret", "password", "literal-pw", "stringData", 5},
		{"ConfigMap", "LOG_LEVEL", "info", "data", 15},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	if len(m.Workloads) != 2 {
		t.Fatalf("workloads: %+v", m.Workloads)
	}
	mounts := m.Workloads[0].Pod.Containers[0].VolumeMounts
	if diff := cmp.Diff([]VolumeMount{{Name: "sock", MountPath: "/var/run/docker.sock", Line: 27, Column: 11}}, mounts); diff != "" {
		t.Errorf("volumeMounts (-want +got):\n%s", diff)
	}
	j := m.Workloads[1]
	if j.Path != "k8s/pod.json" || len(j.Pod.Containers) != 1 || len(j.Pod.Containers[0].Ports) != 1 || j.Pod.Containers[0].Ports[0].ContainerPort != 8080 || j.Pod.Containers[0].Ports[0].Line != 2 {
		t.Errorf("JSON manifest: %+v", j)
	}
	if !Candidate("deploy/pod.json") || Candidate("deploy/pod.txt") {
		t.Error("Candidate: JSON manifests are candidates, .txt are not")
	}
	// Values are never serialised.
	out, _ := json.Marshal(m)
	if strings.Contains(string(out), "literal-pw") || strings.Contains(string(out), "token-value") {
		t.Errorf("a data value is serialised: %s", out)
	}
}
