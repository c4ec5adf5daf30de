package parse

import (
	"path"
	"strings"
)

// devVariantWords are the name parts that mark a development, test or
// debug variant of a Dockerfile, a compose file or a build stage.
var devVariantWords = map[string]bool{"dev": true, "development": true, "test": true, "testing": true, "tests": true,
	"local": true, "debug": true, "ci": true, "e2e": true, "devcontainer": true}

// DevVariant reports whether a Dockerfile or compose file is named as a
// development/test variant: Dockerfile.dev, dev.Dockerfile, test.Containerfile,
// compose.dev.yaml, docker-compose.test.yml, or a file in .devcontainer/.
// Such files do not ship unless the configuration names them.
func DevVariant(rel string) bool {
	if strings.HasPrefix(rel, ".devcontainer/") || strings.Contains(rel, "/.devcontainer/") {
		return true
	}
	base := strings.ToLower(path.Base(rel))
	for _, ext := range []string{".yaml", ".yml"} {
		base = strings.TrimSuffix(base, ext)
	}
	return DevName(base)
}

// DevName reports whether a name, split at '.', '-' and '_', has a part
// that marks development, test or debug use: "dev", "test-runner",
// "debug_image".
func DevName(name string) bool {
	for _, part := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
		if devVariantWords[part] {
			return true
		}
	}
	return false
}
