package checks

import "testing"

func TestDevVariant(t *testing.T) {
	for rel, want := range map[string]bool{
		"Dockerfile":                    false,
		"Dockerfile.dev":                true,
		"dev.Dockerfile":                true,
		"docker/test.Containerfile":     true,
		"compose.yaml":                  false,
		"compose.prod.yaml":             false,
		"compose.override.yaml":         false,
		"docker-compose.test.yml":       true,
		"deploy/compose.e2e.yaml":       true,
		".devcontainer/Dockerfile":      true,
		"app/.devcontainer/compose.yml": true,
		"devices/Dockerfile":            false,
	} {
		if got := DevVariant(rel); got != want {
			t.Errorf("DevVariant(%q) = %v, want %v", rel, got, want)
		}
	}
	for name, want := range map[string]bool{
		"dev": true, "Development": true, "test-runner": true, "debug_image": true,
		"app": false, "release": false, "devices": false, "latest": false,
	} {
		if got := DevName(name); got != want {
			t.Errorf("DevName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestIsComposeFile(t *testing.T) {
	for rel, want := range map[string][3]bool{ // compose, primary, override
		"compose.yaml":                    {true, true, false},
		"docker-compose.yml":              {true, true, false},
		"podman/podman-compose.yml":       {true, true, false},
		"podman-compose.override.yaml":    {true, false, true},
		"compose.override.yml":            {true, false, true},
		"deploy/compose.prod.yaml":        {true, false, false},
		"docker-compose-dev.yml":          {true, false, false},
		"stack/prod.compose.yml":          {true, false, false},
		"compose.yaml.dist":               {false, false, false},
		"docker-compose.override.yaml.j2": {false, false, false},
		"kustomization.yaml":              {false, false, false},
		"composer.json":                   {false, false, false},
		"composition.yml":                 {false, false, false},
	} {
		got := [3]bool{IsComposeFile(rel), IsComposePrimary(rel), IsComposeOverride(rel)}
		if got != want {
			t.Errorf("%s: compose/primary/override = %v, want %v", rel, got, want)
		}
	}
}
