package defaults

import (
	"context"

	"github.com/cemark/cemark/checks"
	"github.com/cemark/cemark/checks/parse/compose"
)

// composeWorkloads reads the compose services through checks/parse/compose
// (active profiles only, interpolated with an empty environment).
func composeWorkloads(ctx context.Context, t *checks.Target) ([]Workload, []Setting, []DeployedImage, []BuildSecret, error) {
	projects, err := compose.Projects(ctx, t)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var ws []Workload
	var ss []Setting
	var imgs []DeployedImage
	var secrets []BuildSecret
	// Development and test compose files (compose.dev.yaml,
	// docker-compose.test.yml) are judged too: the runner reports their
	// findings as info, since they do not ship (checks.product_compose).
	for _, p := range projects {
		for _, s := range p.Services {
			w := Workload{Source: "compose", Path: s.Path, Line: s.Line, Column: s.Column, Name: "service " + s.Name, Key: "service:" + s.Name}
			if s.User.Value != "" {
				w.User = at("user", s.User)
			}
			if s.Privileged {
				w.Privileged = &At{Field: "privileged", Value: "true", Path: s.PrivLoc.Path, Line: s.PrivLoc.Line, Column: s.PrivLoc.Column}
			}
			for _, c := range s.CapAdd {
				w.CapAdd = append(w.CapAdd, *at("cap_add", c))
			}
			for _, ns := range []struct {
				field string
				v     compose.Value
			}{{"network_mode", s.NetworkMode}, {"pid", s.Pid}, {"ipc", s.Ipc}} {
				if ns.v.Value == "host" {
					w.HostNamespaces = append(w.HostNamespaces, *at(ns.field, ns.v))
				}
			}
			for _, v := range s.Volumes {
				if (v.Type == "bind" || v.Type == "") && isDockerSocket(v.Source) {
					w.DockerSocket = append(w.DockerSocket, At{Field: "volumes", Value: v.Source, Path: v.Path, Line: v.Line, Column: v.Column})
				}
			}
			ws = append(ws, w)
			if s.Build != nil {
				for _, a := range s.Build.Args {
					if isCredentialKey(a.Name) {
						secrets = append(secrets, BuildSecret{Kind: BuildArgCompose, Path: a.Path, Line: a.Line, Column: a.Column, Name: a.Name,
							Where: "compose " + w.Name, Key: w.Key + ":build-arg:" + a.Name, Shipped: true})
					}
					if a.HasValue {
						ss = append(ss, Setting{Origin: OriginComposeArg, Path: a.Path, Line: a.Line, Column: a.Column, Key: a.Name, Value: a.Value, Raw: a.Raw,
							Scope: w.Key, Where: w.Name, Shipped: true})
					}
				}
			}
			if s.Build == nil && s.Image.Value != "" {
				// A service that is built runs what the Dockerfile makes
				// (judged at its FROM); the others pull this image.
				imgs = append(imgs, DeployedImage{Path: s.Image.Path, Line: s.Image.Line, Column: s.Image.Column, Ref: s.Image.Value,
					Where: w.Name, Key: w.Key + ":image"})
			}
			for _, e := range s.Environment {
				if !e.HasValue {
					continue
				}
				path := e.Path
				if path == "" {
					path = s.Path
				}
				ss = append(ss, Setting{Origin: OriginComposeEnv, Path: path, Line: e.Line, Column: e.Column, Key: e.Name, Value: e.Value, Raw: e.Raw,
					Scope: w.Key, Where: w.Name, Runtime: true, Shipped: true})
			}
		}
	}
	return ws, ss, imgs, secrets, nil
}

// at converts a located compose value. Compose files of one project may
// differ: each value keeps its own file.
func at(field string, v compose.Value) *At {
	return &At{Field: field, Value: v.Value, Path: v.Path, Line: v.Line, Column: v.Column}
}
