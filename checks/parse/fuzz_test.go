package parse

import "testing"

func FuzzYAMLDocuments(f *testing.F) {
	f.Add([]byte("a: &x [1, 2]\nb: *x\n---\nc: d\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, _ := YAMLDocuments(data) // must not panic or hang
		budget := MaxYAMLNodes
		for _, d := range docs {
			if err := CheckYAML(d, &budget); err != nil {
				t.Fatalf("a returned document breaks the limits: %v", err)
			}
		}
	})
}
