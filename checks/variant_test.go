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
