package checks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadMeta reads one check's metadata from file in fsys (usually a
// family's embed.FS). The YAML is strict: unknown keys are rejected, and
// the metadata is validated (see ValidateMeta).
func LoadMeta(fsys fs.FS, file string) (Meta, error) {
	ms, err := LoadMetas(fsys, file)
	if err != nil {
		return Meta{}, err
	}
	if len(ms) != 1 {
		return Meta{}, fmt.Errorf("check metadata %s: holds %d checks, want exactly one", file, len(ms))
	}
	return ms[0], nil
}

// LoadMetas reads a metadata file holding one check (a mapping) or several
// (a sequence of mappings, as in a family's checks.yml). Every entry is
// strict and validated; IDs must be unique within the file.
func LoadMetas(fsys fs.FS, file string) ([]Meta, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("read check metadata %s: %w", file, err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, fmt.Errorf("parse check metadata %s: %w", file, err)
	}
	if node.Kind != yaml.DocumentNode || len(node.Content) != 1 {
		return nil, fmt.Errorf("parse check metadata %s: empty file", file)
	}
	var metas []Meta
	switch root := node.Content[0]; root.Kind {
	case yaml.MappingNode:
		m, err := decodeMeta(data, 0)
		if err != nil {
			return nil, fmt.Errorf("parse check metadata %s: %w", file, err)
		}
		metas = []Meta{m}
	case yaml.SequenceNode:
		var raw []yaml.Node
		if err := root.Decode(&raw); err != nil {
			return nil, fmt.Errorf("parse check metadata %s: %w", file, err)
		}
		for i := range raw {
			m, err := decodeMeta(data, i+1)
			if err != nil {
				return nil, fmt.Errorf("parse check metadata %s, entry %d: %w", file, i+1, err)
			}
			metas = append(metas, m)
		}
	default:
		return nil, fmt.Errorf("parse check metadata %s: want a mapping or a list of mappings", file)
	}
	seen := map[string]bool{}
	var errs []error
	for _, m := range metas {
		if err := ValidateMeta(m); err != nil {
			errs = append(errs, err)
		}
		if seen[m.ID] {
			errs = append(errs, fmt.Errorf("duplicate check ID %s", m.ID))
		}
		seen[m.ID] = true
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("check metadata %s: %w", file, errors.Join(errs...))
	}
	return metas, nil
}

// decodeMeta strictly decodes entry n of the document (0: the document is
// one mapping; n ≥ 1: the n-th item of a sequence). yaml.v3 only rejects
// unknown keys through a Decoder with KnownFields, hence the re-decode.
func decodeMeta(data []byte, n int) (Meta, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if n == 0 {
		var m Meta
		if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
			return Meta{}, err
		}
		return m, nil
	}
	var ms []Meta
	if err := dec.Decode(&ms); err != nil && !errors.Is(err, io.EOF) {
		return Meta{}, err
	}
	return ms[n-1], nil
}

// MustLoadMeta is LoadMeta for embedded files: a broken embedded file is a
// programming error, caught by the family's tests and checks/all's
// catalogue test, so it panics.
func MustLoadMeta(fsys fs.FS, file string) Meta {
	m, err := LoadMeta(fsys, file)
	if err != nil {
		panic(err)
	}
	return m
}

// MustLoadMetaID returns the entry with this ID from a multi-check file
// (checks.yml). It panics when the file is broken or has no such entry.
func MustLoadMetaID(fsys fs.FS, file, id string) Meta {
	ms, err := LoadMetas(fsys, file)
	if err != nil {
		panic(err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	panic(fmt.Sprintf("check metadata %s: no entry for %s", file, id))
}

// MetaFiles lists the metadata files (*.yml, *.yaml) anywhere in fsys,
// sorted. Files under testdata/ are not metadata.
func MetaFiles(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return fs.SkipDir
			}
			return nil
		}
		if ext := strings.ToLower(path.Ext(p)); ext == ".yml" || ext == ".yaml" {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// LoadCatalogue reads every metadata file in fsys (see MetaFiles), so that
// a test can check that each one belongs to a registered check.
func LoadCatalogue(fsys fs.FS) ([]Meta, error) {
	files, err := MetaFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("list check metadata: %w", err)
	}
	var out []Meta
	for _, f := range files {
		ms, err := LoadMetas(fsys, f)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}
