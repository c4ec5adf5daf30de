package config

import _ "embed"

// schemaJSON is the JSON Schema (draft 2020-12) of cemark.yaml. Editors with
// the YAML language server (VS Code's YAML extension, Neovim, Helix …)
// validate and complete the file when its first line is
//
//	# yaml-language-server: $schema=https://raw.githubusercontent.com/cemark/cemark/main/evidence/config/cemark.schema.json
//
// A test keeps it accepting exactly what Load accepts.
//
//go:embed cemark.schema.json
var schemaJSON []byte

// SchemaURL is the schema's $id, the address editors fetch it from.
const SchemaURL = "https://raw.githubusercontent.com/cemark/cemark/main/evidence/config/cemark.schema.json"

// Schema returns a copy of the JSON Schema of cemark.yaml.
func Schema() []byte { return append([]byte(nil), schemaJSON...) }
