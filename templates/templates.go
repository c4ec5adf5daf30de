// Package templates holds cemark's embedded templates.
//
// techdoc/ has the Markdown (text/template) templates of the Annex VII
// technical file, one per document (NAME.md.tmpl), with Danish versions
// under techdoc/da/. The folder deliberately holds no template.yml and no
// .yml file at its top: GitLab reserves templates/*.yml and
// templates/*/template.yml for CI/CD components, and templates/cemark.yml
// (the component) lives beside this package.
package templates

import "embed"

// TechDoc is the techdoc/ tree: techdoc/README.md.tmpl,
// techdoc/01-general-description.md.tmpl … and techdoc/da/….
//
//go:embed techdoc
var TechDoc embed.FS
