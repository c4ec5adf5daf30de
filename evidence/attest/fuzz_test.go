package attest

import (
	"strings"
	"testing"
)

// Seeds live in testdata/fuzz/<Target>/ (committed) and below.
func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"k","sig":"AAAA"}]}`))
	f.Add([]byte(`{"payloadType":1}`))
	f.Add([]byte(`{"payloadType":"x","payload":"!!","signatures":[]}`))
	f.Add([]byte(`{"payloadType":"x","payload":"","signatures":[1]} trailing`))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := ParseEnvelope(data)
		if err != nil {
			if env != nil {
				t.Fatal("envelope returned with an error")
			}
			if !strings.Contains(err.Error(), "not a DSSE envelope") {
				t.Fatalf("error does not say what is wrong: %v", err)
			}
			return
		}
		// A parsed envelope re-encodes and parses to the same value.
		again, err := ParseEnvelope(env.JSON())
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if string(again.JSON()) != string(env.JSON()) {
			t.Fatal("round trip changed the envelope")
		}
		if _, err := env.DecodePayload(); err != nil {
			t.Fatalf("accepted payload does not decode: %v", err)
		}
	})
}

func FuzzParseJSONL(f *testing.F) {
	line := `{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`
	f.Add([]byte(line + "\n" + line + "\n"))
	f.Add([]byte(line + "\n\n" + line))
	f.Add([]byte(line + "\n" + line[:20]))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		envs, err := ParseJSONL(data)
		if err != nil {
			if envs != nil {
				t.Fatal("envelopes returned with an error")
			}
			return
		}
		back, err := ParseJSONL(EncodeJSONL(envs))
		if err != nil || len(back) != len(envs) {
			t.Fatalf("round trip: %d vs %d, %v", len(back), len(envs), err)
		}
	})
}

func FuzzParseStatement(f *testing.F) {
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"` + strings.Repeat("a", 64) + `"}}],"predicateType":"x","predicate":{}}`))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","subject":[],"predicateType":"x","predicate":{}}`))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"gitCommit":"zz"}}],"predicate":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStatement(data)
		if err == nil && (st.GetType() != StatementTypeV1 || len(st.GetSubject()) == 0 || st.GetPredicateType() == "") {
			t.Fatalf("accepted an invalid statement: %s", data)
		}
	})
}
