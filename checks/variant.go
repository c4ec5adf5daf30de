package checks

import (
	"path"
	"regexp"
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

// Compose file names. Docker, Podman and other tools read compose.yaml,
// docker-compose.yml and podman-compose.yml, merge *.override.* into them,
// and take variants such as compose.prod.yaml, docker-compose-dev.yml or
// prod.compose.yml with -f.
var (
	composePrimary  = regexp.MustCompile(`^(?:docker-|podman-)?compose\.ya?ml$`)
	composeOverride = regexp.MustCompile(`^(?:docker-|podman-)?compose\.override\.ya?ml$`)
	composeVariant  = regexp.MustCompile(`^(?:(?:docker-|podman-)?compose[.-][^/]+|[^/]+\.compose|(?:docker|podman)-compose[.-][^/]+)\.ya?ml$`)
)

// IsComposeFile reports whether a path is named like a Compose file.
func IsComposeFile(rel string) bool {
	base := strings.ToLower(path.Base(rel))
	return composePrimary.MatchString(base) || composeOverride.MatchString(base) || composeVariant.MatchString(base)
}

// IsComposePrimary reports whether a path is a main Compose file, the one
// `docker compose` or `podman compose` reads without -f.
func IsComposePrimary(rel string) bool {
	return composePrimary.MatchString(strings.ToLower(path.Base(rel)))
}

// IsComposeOverride reports whether a path is a Compose override file,
// merged into the main file of its folder.
func IsComposeOverride(rel string) bool {
	return composeOverride.MatchString(strings.ToLower(path.Base(rel)))
}
